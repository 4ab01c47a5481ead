package org.convscope.inspect;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.convscope.engine.Attributes;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.OpSpec;
import org.convscope.engine.Trace;
import org.convscope.engine.ops.StandardOps;
import org.convscope.tensor.Tensor;

/**
 * The brute-force receptive field: the input pixels with a non-zero gradient for one position of a tensor, in
 * a copy of the network where nothing can hide a connection. Weights are positive and the input is all ones,
 * so every activation is positive and every ReLU passes its gradient; max pooling becomes average pooling over
 * the same windows (a max sends its gradient to one pixel of the window only), ReLU6 becomes ReLU (it would
 * saturate), and conv weights are scaled by their fan-in so values stay finite through deep networks.
 */
final class InfluenceBoxes {
  private final Network network;
  private final Trace trace;

  InfluenceBoxes(Graph graph, int[] inputShape) {
    network = new Network(positiveCopy(graph, 7));
    trace = network.forward(Map.of(network.inputName(), Tensor.full(1f, inputShape)), ForwardOptions.forBackward());
  }

  /**
   * The bounding box {top, bottom, left, right} (inclusive) of the input pixels whose gradient is non-zero
   * for the sum over channels of {@code tensor} at (y, x), or null when none is.
   */
  int[] box(String tensor, int y, int x) {
    Tensor t = trace.get(tensor);
    int channels = t.dim(1);
    int height = t.dim(2);
    int width = t.dim(3);
    Tensor seed = Tensor.zeros(t.shape());
    for (int c = 0; c < channels; c++) seed.data()[(c * height + y) * width + x] = 1;
    String input = network.inputName();
    Tensor g = network.backward(trace, Map.of(tensor, seed), List.of(input), BackwardRules.DEFAULT).get(input);
    int inHeight = g.dim(2);
    int inWidth = g.dim(3);
    int[] box = {Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE};
    float[] d = g.data();
    for (int i = 0; i < d.length; i++) {
      if (d[i] == 0) continue;
      if (!(d[i] > 0)) throw new AssertionError("gradient " + d[i] + " in a positive network");
      int py = (i / inWidth) % inHeight;
      int px = i % inWidth;
      box[0] = Math.min(box[0], py);
      box[1] = Math.max(box[1], py);
      box[2] = Math.min(box[2], px);
      box[3] = Math.max(box[3], px);
    }
    return box[0] == Integer.MAX_VALUE ? null : box;
  }

  /** The shape of every tensor of the run, for {@link ReceptiveFields#compute}. */
  Map<String, int[]> shapes() {
    Map<String, int[]> shapes = new HashMap<>();
    for (String name : trace.names()) shapes.put(name, trace.get(name).shape());
    return shapes;
  }

  /** The graph with positive weights, average instead of max pooling and ReLU instead of clipping. */
  static Graph positiveCopy(Graph graph, long seed) {
    Random random = new Random(seed);
    Set<String> zeroed = new HashSet<>();
    Set<String> ones = new HashSet<>();
    for (Node node : graph.nodes()) {
      if (node.opType().equals("BatchNormalization")) {
        zeroed.add(node.input(3)); // running mean: keeps (x - mean) positive
        ones.add(node.input(4));
      }
    }
    Map<String, Tensor> weights = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
      Tensor t = e.getValue();
      if (!t.isFloat() || t.rank() == 0) {
        weights.put(e.getKey(), t);
        continue;
      }
      int fanIn = 1;
      for (int i = 1; i < t.rank(); i++) fanIn *= t.dim(i);
      float[] values = new float[t.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = zeroed.contains(e.getKey()) ? 0 : ones.contains(e.getKey()) ? 1 : (float) ((0.5 + random.nextDouble()) / fanIn);
      }
      weights.put(e.getKey(), Tensor.of(values, t.shape()));
    }
    List<Node> nodes = graph.nodes().stream().map(InfluenceBoxes::connectivityPreserving).toList();
    return new Graph(graph.name(), nodes, weights, graph.inputs(), graph.outputs(), graph.metadata(), graph.opset());
  }

  private static Node connectivityPreserving(Node node) {
    if (node.opType().equals("MaxPool")) {
      Map<String, Object> attributes = new HashMap<>(node.attributes().asMap());
      attributes.remove("storage_order");
      Object dilations = attributes.remove("dilations");
      if (dilations != null) {
        for (long d : (long[]) dilations) if (d != 1) throw new IllegalArgumentException("dilated max pooling in " + node);
      }
      return replaced(node, "AveragePool", List.of(node.input(0)), attributes);
    }
    if (node.opType().equals("Clip")) return replaced(node, "Relu", List.of(node.input(0)), Map.of());
    return node;
  }

  private static Node replaced(Node node, String opType, List<String> inputs, Map<String, Object> attributes) {
    Attributes a = new Attributes(node.name(), attributes);
    var op = StandardOps.registry().create(new OpSpec(node.name(), opType, a, 13, inputs.size(), 1));
    return new Node(node.name(), opType, inputs, List.of(node.output()), a, node.metadata(), op);
  }
}
