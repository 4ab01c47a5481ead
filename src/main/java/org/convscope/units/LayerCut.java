package org.convscope.units;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.engine.ValueInfo;
import org.convscope.inspect.ReceptiveField;
import org.convscope.inspect.ReceptiveFields;
import org.convscope.model.Model;
import org.convscope.tensor.DType;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * A model cut after one layer: only the nodes that compute the layer's tensor, which becomes the cut network's
 * output. Passes over a dataset and gradient ascent on a unit then pay nothing for the layers after it, and
 * keep no tensor but the layer's.
 */
public final class LayerCut {
  private final String layer;
  private final String tensor;
  private final Network network;

  private LayerCut(String layer, String tensor, Network network) {
    this.layer = layer;
    this.tensor = tensor;
    this.network = network;
  }

  /**
   * The model cut after {@code layer} (a module path, node or tensor name).
   *
   * @throws InvalidInputException for an unknown layer, naming the closest known names
   */
  public static LayerCut of(Model model, String layer) {
    String tensor = model.resolveLayer(layer);
    Graph graph = model.graph();
    Set<Node> needed = ancestors(graph, tensor);
    List<Node> nodes = new ArrayList<>();
    Set<String> read = new HashSet<>();
    for (Node node : graph.nodes()) {
      if (!needed.contains(node)) continue;
      nodes.add(node);
      read.addAll(node.inputs());
    }
    Map<String, Tensor> weights = new LinkedHashMap<>();
    graph.initializers().forEach((name, value) -> {
      if (read.contains(name)) weights.put(name, value);
    });
    List<ValueInfo> inputs = List.of(model.inputInfo());
    Graph cut = new Graph(graph.name() + " up to " + layer, nodes, weights, inputs,
        List.of(new ValueInfo(tensor, DType.FLOAT, null, null)), graph.metadata(), graph.opset());
    return new LayerCut(layer, tensor, new Network(cut));
  }

  /**
   * The same cut with the input's height and width left free, so it runs on images of any size (DeepDream's
   * octaves). Layers before this one rarely depend on the size; if one does, running fails with its message.
   */
  public LayerCut withFreeSize() {
    Graph graph = network.graph();
    ValueInfo in = graph.inputs().get(0);
    int[] dims = in.dims();
    if (dims == null || dims.length != 4) return this;
    int[] free = {dims[0], dims[1], -1, -1};
    ValueInfo freeInput = new ValueInfo(in.name(), in.type(), free, in.dimNames());
    Graph g = new Graph(graph.name(), graph.nodes(), graph.initializers(), List.of(freeInput), graph.outputs(),
        graph.metadata(), graph.opset());
    return new LayerCut(layer, tensor, new Network(g));
  }

  /** The layer's name as the user gave it. */
  public String layer() {
    return layer;
  }

  /** The tensor the layer's name resolved to. */
  public String tensor() {
    return tensor;
  }

  /** The cut network, whose one output is {@link #tensor()}. */
  public Network network() {
    return network;
  }

  /** The layer's activations for a batch of model inputs [B,C,H,W]. */
  public Tensor activations(Tensor input) {
    return network.forward(Map.of(network.inputName(), input), ForwardOptions.inference()).get(tensor);
  }

  /**
   * The layer's shape and receptive field for inputs of one geometry, found by running one blank image.
   *
   * @param inputShape [1,C,H,W] or [B,C,H,W]; only C, H and W matter
   */
  public Geometry geometry(int[] inputShape) {
    int[] probe = {1, inputShape[1], inputShape[2], inputShape[3]};
    Map<String, int[]> shapes = new HashMap<>();
    Map<String, Tensor> feed = Map.of(network.inputName(), Tensor.zeros(probe));
    try (Trace trace = network.forward(feed, ForwardOptions.forBackward())) {
      for (String name : trace.names()) shapes.put(name, trace.get(name).shape());
    }
    ReceptiveField field = ReceptiveFields.compute(network.graph(), network.inputName(), shapes).get(tensor);
    return new Geometry(layer, shapes.get(tensor), field, probe[2], probe[3]);
  }

  /**
   * A layer's output shape for a batch of one and its receptive field (null when not defined, for example after
   * a resize), for inputs of {@code inputHeight} x {@code inputWidth}.
   */
  public record Geometry(String layer, int[] shape, ReceptiveField field, int inputHeight, int inputWidth) {
    public Geometry {
      shape = shape.clone();
    }

    public int channels() {
      return shape[1];
    }

    /**
     * Checks that the layer is a stack of maps larger than one value, as masks and patches need.
     *
     * @throws InvalidInputException naming the layer and its shape otherwise
     */
    public void requireSpatial(String what) {
      if (shape.length != 4 || shape[2] * shape[3] == 1) {
        throw new InvalidInputException("layer '" + layer + "' has no spatial extent (output " + Shapes.toString(shape)
            + "), so it has no " + what + "; choose a convolutional layer");
      }
    }

    /** @throws InvalidInputException when {@code channel} is not one of the layer's channels */
    public void checkChannel(int channel) {
      if (channel < 0 || channel >= channels()) {
        throw new InvalidInputException("channel " + channel + " is out of range: layer '" + layer + "' has "
            + channels() + " channels (0 to " + (channels() - 1) + ")");
      }
    }
  }

  /** The nodes needed to compute {@code tensor}, walking producers back from it. */
  private static Set<Node> ancestors(Graph graph, String tensor) {
    Set<Node> needed = new HashSet<>();
    Deque<String> pending = new ArrayDeque<>(List.of(tensor));
    while (!pending.isEmpty()) {
      Node producer = graph.producer(pending.pop());
      if (producer == null || !needed.add(producer)) continue;
      for (String in : producer.inputs()) if (!in.isEmpty()) pending.push(in);
    }
    return needed;
  }
}
