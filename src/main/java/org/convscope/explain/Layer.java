package org.convscope.explain;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.Graph;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.model.Model;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * The layer a class activation map is computed at.
 *
 * @param name the name to show: what the user asked for, or the module path of the chosen layer
 * @param tensor the tensor the layer outputs
 * @param shape the tensor's shape for the query's batch, (N,C,h,w)
 * @param automatic whether the layer was chosen automatically rather than named by the user
 */
public record Layer(String name, String tensor, int[] shape, boolean automatic) {
  public Layer {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  public int channels() {
    return shape[1];
  }

  public int height() {
    return shape[2];
  }

  public int width() {
    return shape[3];
  }

  /** One line for users, saying how the layer was chosen. */
  public String describe() {
    String size = shape[1] + "x" + shape[2] + "x" + shape[3];
    String how = automatic ? ", chosen automatically as the last layer with spatial extent before global pooling" : "";
    return name + " (tensor " + tensor + ", " + size + how + ")";
  }

  /** The layer a user named (module path, node or tensor name), which must have spatial extent. */
  static Layer named(Model model, Trace trace, String name) {
    String tensor = model.resolveLayer(name);
    Tensor value = trace.get(tensor);
    if (!isSpatial(value)) {
      throw new InvalidInputException("layer '" + name + "' has shape " + Shapes.toString(value.shape())
          + " without spatial extent; class activation maps need a layer of shape [N,C,H,W] with H or W above 1");
    }
    return new Layer(name, tensor, value.shape(), false);
  }

  /**
   * The last layer with spatial extent before global pooling ({@link #defaultTensor}), as a trace of every
   * tensor shows it.
   */
  static Layer chooseDefault(Model model, Trace trace) {
    String chosen = defaultTensor(model.graph(), trace);
    if (chosen == null) {
      throw new InvalidInputException("the model has no layer with spatial extent before its output; "
          + "class activation maps need a layer of shape [N,C,H,W] with H or W above 1");
    }
    return new Layer(displayName(model, chosen), chosen, trace.get(chosen).shape(), true);
  }

  /**
   * The tensor class activation maps use when no layer is named, or null: the spatial input of the last node
   * that collapses space (global pooling, a full-size pooling or convolution, a flatten), in execution order.
   * Squeeze-and-excitation blocks collapse space too, but earlier, so the head's pooling wins. What is computed
   * from collapsed tensors alone stays collapsed even when it looks spatial again: ConvNeXt's classifier
   * permutes its pooled [N,C,1,1] features to [N,1,1,C] for a layer norm, which is no feature map.
   *
   * @param trace a run that recorded every tensor
   */
  public static String defaultTensor(Graph graph, Trace trace) {
    // Only tensors computed from the input count: weights and constants (a layer norm's exponent) neither
    // collapse space nor restore it.
    Set<String> fromInput = new HashSet<>();
    for (var input : graph.inputs()) fromInput.add(input.name());
    Set<String> collapsed = new HashSet<>();
    String chosen = null;
    for (Node node : graph.nodes()) {
      String out = node.output();
      String spatialInput = null;
      boolean anyInput = false;
      boolean allCollapsed = true;
      for (String in : node.inputs()) {
        if (in.isEmpty() || !fromInput.contains(in)) continue;
        anyInput = true;
        allCollapsed &= collapsed.contains(in);
        if (trace.has(in) && isSpatial(trace.get(in)) && !collapsed.contains(in)) spatialInput = in;
      }
      if (!anyInput || out.isEmpty()) continue;
      fromInput.add(out);
      if (!trace.has(out) || !trace.get(out).isFloat()) continue;
      if (spatialInput != null && !isSpatial(trace.get(out))) {
        chosen = spatialInput;
        collapsed.add(out);
      } else if (allCollapsed) {
        collapsed.add(out);
      }
    }
    return chosen;
  }

  private static boolean isSpatial(Tensor t) {
    return t.isFloat() && t.rank() == 4 && t.dim(2) * t.dim(3) > 1;
  }

  /** The outermost module path that outputs the tensor, else the node that writes it, else the tensor's name. */
  private static String displayName(Model model, String tensor) {
    String best = null;
    for (Map.Entry<String, String> m : model.layers().modules().entrySet()) {
      if (m.getValue().equals(tensor) && (best == null || m.getKey().length() < best.length())) best = m.getKey();
    }
    if (best != null) return best;
    Node producer = model.graph().producer(tensor);
    return producer != null && !producer.name().isEmpty() ? producer.name() : tensor;
  }
}
