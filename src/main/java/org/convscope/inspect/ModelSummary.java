package org.convscope.inspect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.LayerNames;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.engine.ValueInfo;
import org.convscope.tensor.Tensor;

/**
 * The layer table of a network: every computing node with its module path, op, output shape, parameter
 * count and receptive field, found by running the network once on a blank input of batch one.
 */
public final class ModelSummary {
  /** Nodes that only compute constants or shapes are not layers. */
  private static final Set<String> NOT_LAYERS = Set.of("Constant", "Shape", "Gather", "Unsqueeze", "Squeeze",
      "ConstantOfShape", "Cast", "Identity");

  private ModelSummary() {}

  /** The shape of a blank probe input: free dimensions become 1 for the batch and {@code defaultSize} for space. */
  public static int[] probeShape(ValueInfo input, int defaultSize) {
    if (!input.hasShape()) return new int[] {1, 3, defaultSize, defaultSize};
    int[] dims = input.dims();
    int[] shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) shape[i] = dims[i] >= 0 ? dims[i] : (i == 0 ? 1 : i == 1 ? 3 : defaultSize);
    return shape;
  }

  public static List<LayerInfo> layers(Network network, int[] inputShape) {
    String input = network.inputName();
    Map<String, int[]> shapes = new HashMap<>();
    Map<String, Boolean> isFloat = new HashMap<>();
    try (Trace trace = network.forward(Map.of(input, Tensor.zeros(inputShape)), ForwardOptions.forBackward())) {
      for (String name : trace.names()) {
        Tensor t = trace.get(name);
        shapes.put(name, t.shape());
        isFloat.put(name, t.isFloat());
      }
    }
    Map<String, ReceptiveField> fields = ReceptiveFields.compute(network.graph(), input, shapes);
    LayerNames names = new LayerNames(network.graph());
    Set<String> parameters = new HashSet<>(network.graph().initializers().keySet());
    List<LayerInfo> rows = new ArrayList<>();
    for (Node node : network.graph().nodes()) {
      String out = node.output();
      if (NOT_LAYERS.contains(node.opType()) || !isFloat.getOrDefault(out, false)) continue;
      long params = 0;
      for (String in : node.inputs()) if (parameters.contains(in)) params += network.graph().initializers().get(in).size();
      rows.add(new LayerInfo(node.name(), names.modulePath(node), node.opType(), out, shapes.get(out), params,
          fields.get(out)));
    }
    return rows;
  }

  /**
   * The last layer at each spatial resolution, in order: where each stage of a CNN ends before the next
   * downsampling, and the layers worth showing activations of.
   */
  public static List<LayerInfo> stageOutputs(List<LayerInfo> layers) {
    List<LayerInfo> stages = new ArrayList<>();
    for (LayerInfo l : layers) {
      int[] s = l.shape();
      if (s.length != 4 || s[2] * s[3] <= 1) continue;
      if (!stages.isEmpty()) {
        int[] last = stages.get(stages.size() - 1).shape();
        if (last[2] == s[2] && last[3] == s[3]) stages.remove(stages.size() - 1);
      }
      stages.add(l);
    }
    return stages;
  }
}
