package org.convscope.engine.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.convscope.engine.CompositeAnchor.Composite;
import org.convscope.engine.Graph;
import org.convscope.engine.Node;
import org.convscope.tensor.Tensor;

/**
 * Functions that torch.onnx writes as several nodes where an opset lacks them, recognized so that one op can
 * compute them ({@link org.convscope.engine.CompositeAnchor}): node by node, ConvNeXt's GELU and layer norms took
 * 6 and 9 passes over their tensors forward and as many backward, with a gradient array for every step.
 */
final class ExportedPatterns {
  private ExportedPatterns() {}

  /**
   * GELU as torch.onnx writes it before opset 20: Mul(Mul(x, Add(Erf(Div(x, sqrt 2)), 1)), 0.5), around the
   * Erf node {@code erf}. Computed by {@link Gelu}.
   */
  static Composite gelu(Graph graph, Node erf, Function<String, Tensor> constants) {
    Node div = graph.producer(erf.input(0));
    if (div == null || !div.opType().equals("Div") || !isScalar(constants.apply(div.input(1)), (float) Math.sqrt(2))) {
      return null;
    }
    String x = div.input(0);
    Node plusOne = onlyReader(graph, erf, "Add");
    if (plusOne == null || !isScalar(constants.apply(other(plusOne, erf.output())), 1f)) return null;
    Node times = onlyReader(graph, plusOne, "Mul");
    if (times == null || !x.equals(other(times, plusOne.output()))) return null;
    Node half = onlyReader(graph, times, "Mul");
    if (half == null || !isScalar(constants.apply(other(half, times.output())), 0.5f)) return null;
    return new Composite(List.of(div, erf, plusOne, times, half), new Gelu(false), List.of(x));
  }

  /**
   * A Linear layer from its MatMul node {@code matmul}: MatMul(x, W) with W a constant matrix, then an Add of a
   * constant bias vector of W's width, then, if it follows, an exact GELU (one Gelu node, or the five nodes
   * {@link #gelu} recognizes). Computed by {@link Linear}.
   */
  static Composite linear(Graph graph, Node matmul, Function<String, Tensor> constants) {
    Tensor w = constants.apply(matmul.input(1));
    if (w == null || !w.isFloat() || w.rank() != 2) return null;
    Node add = onlyReader(graph, matmul, "Add");
    String bias = add == null ? null : other(add, matmul.output());
    Tensor b = bias == null ? null : constants.apply(bias);
    if (b == null || !b.isFloat() || b.rank() != 1 || b.size() != w.dim(1)) return null;
    List<Node> nodes = new ArrayList<>(List.of(matmul, add));
    List<Node> readers = graph.consumers(add.output());
    if (readers.size() == 1 && readers.get(0).op() instanceof Gelu g && !g.tanhApproximation()) {
      nodes.add(readers.get(0));
    } else {
      Node div = readers.stream().filter(r -> r.opType().equals("Div") && r.input(0).equals(add.output()))
          .findFirst().orElse(null);
      Node erf = div == null ? null : onlyReader(graph, div, "Erf");
      Composite gelu = erf == null ? null : gelu(graph, erf, constants);
      if (gelu != null && gelu.inputs().get(0).equals(add.output())) nodes.addAll(gelu.nodes());
    }
    return new Composite(nodes, new Linear(nodes.size() > 2), List.of(matmul.input(0), matmul.input(1), bias));
  }

  /**
   * Layer norm over the last axis as torch.onnx writes it before opset 17, from its first ReduceMean
   * {@code mean}: d = x - mean(x); Add(Mul(Div(d, Sqrt(Add(mean(Pow(d, 2)), eps))), weight), bias). Computed by
   * {@link LayerNormalization}.
   */
  static Composite layerNorm(Graph graph, Node mean, Function<String, Tensor> constants) {
    String x = mean.input(0);
    Node sub = onlyReader(graph, mean, "Sub");
    if (sub == null || !sub.input(0).equals(x) || !sub.input(1).equals(mean.output())) return null;
    List<Node> subReaders = graph.consumers(sub.output());
    if (subReaders.size() != 2) return null;
    Node pow = subReaders.get(0).opType().equals("Pow") ? subReaders.get(0) : subReaders.get(1);
    Node div = pow == subReaders.get(0) ? subReaders.get(1) : subReaders.get(0);
    if (!pow.opType().equals("Pow") || !pow.input(0).equals(sub.output())
        || !isScalar(constants.apply(pow.input(1)), 2f) || !div.opType().equals("Div")
        || !div.input(0).equals(sub.output())) {
      return null;
    }
    Node variance = onlyReader(graph, pow, "ReduceMean");
    if (variance == null || !(variance.op() instanceof ReduceMean r) || !r.reducesLastAxisOnly()) return null;
    Node plusEps = onlyReader(graph, variance, "Add");
    Tensor eps = plusEps == null ? null : constants.apply(other(plusEps, variance.output()));
    if (eps == null || !eps.isFloat() || eps.size() != 1) return null;
    Node sqrt = onlyReader(graph, plusEps, "Sqrt");
    if (sqrt == null || onlyReader(graph, sqrt, "Div") != div || !div.input(1).equals(sqrt.output())) return null;
    Node scale = onlyReader(graph, div, "Mul");
    Node shift = scale == null ? null : onlyReader(graph, scale, "Add");
    if (shift == null) return null;
    String weight = other(scale, div.output());
    String bias = other(shift, scale.output());
    return new Composite(List.of(mean, sub, pow, variance, plusEps, sqrt, div, scale, shift),
        new LayerNormalization(-1, eps.data()[0]), List.of(x, weight, bias));
  }

  /** The node of type {@code opType} that is the only reader of {@code node}'s only output, or null. */
  private static Node onlyReader(Graph graph, Node node, String opType) {
    if (node.outputs().size() != 1) return null;
    List<Node> readers = graph.consumers(node.output());
    if (readers.size() != 1 || !readers.get(0).opType().equals(opType)) return null;
    return readers.get(0);
  }

  /** The other input of a two-input node that reads {@code tensor} once, or null. */
  private static String other(Node node, String tensor) {
    if (node.inputs().size() != 2 || node.input(0).equals(node.input(1))) return null;
    return node.input(0).equals(tensor) ? node.input(1) : node.input(1).equals(tensor) ? node.input(0) : null;
  }

  /** Whether {@code t} is one float equal to {@code value} to within float rounding. */
  private static boolean isScalar(Tensor t, float value) {
    return t != null && t.isFloat() && t.size() == 1 && Math.abs(t.data()[0] - value) <= 1e-6f * Math.abs(value);
  }
}
