package org.convscope.inspect;

import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Node;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/**
 * A convolution's learned filters, the weights [out, in, kh, kw] read from the model. The first layer's filters
 * are what Krizhevsky et al. (2012) and Zeiler and Fergus (2014) show as images: oriented edges and colour blobs.
 */
public final class Filters {
  private Filters() {}

  /** A conv layer's weights and its node. */
  public record ConvWeights(Node node, String module, Tensor weights) {}

  /** The first Conv node in execution order. */
  public static ConvWeights firstLayer(Model model) {
    for (Node node : model.graph().nodes()) {
      if (node.opType().equals("Conv")) return weightsOf(model, node);
    }
    throw new InvalidInputException(model.source() + " has no convolution layer");
  }

  /** The conv layer a name refers to: a module path, node name, or the conv's output tensor. */
  public static ConvWeights layer(Model model, String name) {
    String tensor = model.resolveLayer(name);
    Node node = model.graph().producer(tensor);
    if (node == null || !node.opType().equals("Conv")) {
      throw new InvalidInputException("layer '" + name + "' is " + (node == null ? "not computed by a node" : "a " + node.opType())
          + ", not a convolution; its filters cannot be shown");
    }
    return weightsOf(model, node);
  }

  private static ConvWeights weightsOf(Model model, Node node) {
    Tensor w = model.graph().initializers().get(node.input(1));
    if (w == null || w.rank() != 4) {
      throw new InvalidInputException("convolution " + node.name() + " has no 2-D weight initializer to show");
    }
    return new ConvWeights(node, model.layers().modulePath(node), w);
  }

  /** Filter {@code index} as a [in, kh, kw] tensor. */
  public static Tensor filter(Tensor weights, int index) {
    return weights.slice0(index, index + 1).reshape(weights.dim(1), weights.dim(2), weights.dim(3));
  }
}
