package org.convscope.explain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.convscope.engine.Graph;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Node;
import org.convscope.tensor.Tensor;

/**
 * Finds the classifier CAM needs after a layer: global average pooling, then only reshaping, then one linear
 * layer (Gemm, or MatMul with an optional bias Add) writing the model's output. Its weights are constant.
 */
final class LinearHead {
  private static final Set<String> RESHAPING = Set.of("Flatten", "Reshape", "Squeeze", "Identity", "Dropout");

  private LinearHead() {}

  /** The class-by-channel weight matrix (classes, K), without the bias. */
  static Tensor weights(Query query, Layer layer) {
    Graph graph = query.model().graph();
    Node pool = onlyConsumer(graph, layer.tensor());
    if (pool == null || !averagesSpace(query, layer, pool)) {
      throw notFound(layer, pool == null ? "several nodes or none" : describe(pool));
    }
    String cur = pool.output();
    Node next = onlyConsumer(graph, cur);
    while (next != null && RESHAPING.contains(next.opType()) && next.input(0).equals(cur)) {
      cur = next.output();
      next = onlyConsumer(graph, cur);
    }
    Tensor pooled = query.value(cur);
    if (next == null || !next.input(0).equals(cur) || pooled.rank() != 2 || pooled.dim(1) != layer.channels()) {
      throw notFound(layer, "global average pooling then " + (next == null ? "several nodes or none" : describe(next)));
    }
    Tensor w = linearWeights(query, next, layer);
    if (w == null) throw notFound(layer, "global average pooling then " + describe(next));
    String out = next.output();
    Node after = onlyConsumer(graph, out);
    if (next.opType().equals("MatMul") && after != null && after.opType().equals("Add") && isConstant(graph, other(after, out))) {
      out = after.output();
      after = onlyConsumer(graph, out);
    }
    while (after != null && after.opType().equals("Identity")) {
      out = after.output();
      after = onlyConsumer(graph, out);
    }
    if (!out.equals(query.model().output())) {
      throw notFound(layer, "a linear layer that does not write the model's output");
    }
    return w;
  }

  private static boolean averagesSpace(Query query, Layer layer, Node pool) {
    int[] s = query.value(pool.output()).shape();
    boolean collapsed = s.length >= 2 && s[1] == layer.channels() && s[0] == layer.shape()[0]
        && (s.length == 2 || (s.length == 4 && s[2] == 1 && s[3] == 1));
    return switch (pool.opType()) {
      case "GlobalAveragePool" -> true;
      case "ReduceMean" -> collapsed;
      case "AveragePool" -> collapsed
          && Arrays.equals(pool.attributes().getIntArray("kernel_shape", new int[0]),
              new int[] {layer.height(), layer.width()})
          && Arrays.stream(pool.attributes().getIntArray("pads", new int[4])).allMatch(p -> p == 0);
      default -> false;
    };
  }

  /** A Gemm's or MatMul's weights as (classes, K), or null when they are not constant or not a plain product. */
  private static Tensor linearWeights(Query query, Node linear, Layer layer) {
    Graph graph = query.model().graph();
    String b = linear.input(1);
    if (b.isEmpty() || !isConstant(graph, b)) return null;
    Tensor value = query.value(b);
    if (value.rank() != 2) return null;
    boolean gemm = linear.opType().equals("Gemm");
    if (!gemm && !linear.opType().equals("MatMul")) return null;
    if (gemm && linear.attributes().getInt("transA", 0) != 0) return null;
    boolean transposed = gemm && linear.attributes().getInt("transB", 0) != 0;
    float alpha = gemm ? linear.attributes().getFloat("alpha", 1f) : 1f;
    int k = layer.channels();
    int rows = transposed ? value.dim(0) : value.dim(1);
    if ((transposed ? value.dim(1) : value.dim(0)) != k) return null;
    float[] v = value.data();
    float[] w = new float[rows * k];
    for (int c = 0; c < rows; c++) {
      for (int j = 0; j < k; j++) w[c * k + j] = alpha * (transposed ? v[c * k + j] : v[j * rows + c]);
    }
    return Tensor.of(w, rows, k);
  }

  /** The one node reading a tensor, not counting Shape nodes; null when there are several or none. */
  private static Node onlyConsumer(Graph graph, String tensor) {
    List<Node> readers = new ArrayList<>();
    for (Node n : graph.consumers(tensor)) if (!n.opType().equals("Shape")) readers.add(n);
    return readers.size() == 1 ? readers.get(0) : null;
  }

  private static String other(Node add, String input) {
    return add.input(0).equals(input) ? add.input(1) : add.input(0);
  }

  /** Whether a tensor depends on initializers and constants only, not on the graph's input. */
  private static boolean isConstant(Graph graph, String tensor) {
    Deque<String> todo = new ArrayDeque<>(List.of(tensor));
    while (!todo.isEmpty()) {
      String t = todo.pop();
      if (t.isEmpty() || graph.initializers().containsKey(t)) continue;
      Node producer = graph.producer(t);
      if (producer == null) return false;
      todo.addAll(producer.inputs());
    }
    return true;
  }

  private static String describe(Node node) {
    return node.opType() + " '" + node.name() + "'";
  }

  private static InvalidInputException notFound(Layer layer, String found) {
    return new InvalidInputException("CAM needs global average pooling then a linear classifier right after layer '"
        + layer.name() + "', but the model has " + found + " there; Grad-CAM works on any model");
  }
}
