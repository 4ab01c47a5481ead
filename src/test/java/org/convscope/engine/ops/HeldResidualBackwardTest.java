package org.convscope.engine.ops;


import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Graph;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.engine.dnnl.NativeMemory;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A saliency pass through residual blocks keeps its gradients held through the Adds, sums the two branches'
 * gradients held where they meet, and runs the convolutions' backward-data passes in the channels-last layout of
 * the forward pass: every gradient agrees with the ops' own backward passes on arrays, with the replaced ReLU
 * rules too, and nothing is left allocated. ({@link HeldGradientChainTest} covers MobileNetV2's blocks.)
 */
class HeldResidualBackwardTest {
  private static final String BLOCK1_INPUT = "/pool/MaxPool_output_0";
  private static final String BLOCK2_INPUT = "/b1/out/Relu_output_0";

  /**
   * x -> conv -> Relu -> 3x3 max pooling (a ResNet's stem), then two residual blocks, conv -> Relu -> conv -> Add(., skip) -> Relu: the
   * first with the identity as its skip, the second strided, with a 1x1 strided convolution on its skip; then a
   * global average pool. 16 and 24 channels: enough for oneDNN's channels-last kernels.
   */
  private static Graph graph() {
    GraphBuilder b = new GraphBuilder("residual", 13);
    String x = b.input("x", -1, 3, 17, 15);
    Map<String, Object> same = Map.of("pads", new long[] {1, 1, 1, 1});
    Map<String, Object> strided = Map.of("pads", new long[] {1, 1, 1, 1}, "strides", new long[] {2, 2});
    String stem = b.node("MaxPool", "/pool/MaxPool", List.of(relu(b, "/stem", b.node("Conv", "/stem/Conv",
        List.of(x, weights(b, "w0", 71, 16, 3, 3)), same))),
        Map.of("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}));
    String r1 = relu(b, "/b1/c1", b.node("Conv", "/b1/c1/Conv", List.of(stem, weights(b, "w1", 72, 16, 16, 3)), same));
    String c2 = b.node("Conv", "/b1/c2/Conv", List.of(r1, weights(b, "w2", 73, 16, 16, 3)), same);
    String block1 = relu(b, "/b1/out", b.node("Add", "/b1/Add", List.of(c2, stem), Map.of()));
    String r3 = relu(b, "/b2/c1", b.node("Conv", "/b2/c1/Conv", List.of(block1, weights(b, "w3", 74, 24, 16, 3)),
        strided));
    String c4 = b.node("Conv", "/b2/c2/Conv", List.of(r3, weights(b, "w4", 75, 24, 24, 3)), same);
    String skip = b.node("Conv", "/b2/down/Conv", List.of(block1, weights(b, "w5", 76, 24, 16, 1)),
        Map.of("strides", new long[] {2, 2}));
    String block2 = relu(b, "/b2/out", b.node("Add", "/b2/Add", List.of(c4, skip), Map.of()));
    b.output(b.node("GlobalAveragePool", "/pool/GlobalAveragePool", List.of(block2), Map.of()));
    return b.build(StandardOps.registry());
  }

  private static String relu(GraphBuilder b, String scope, String input) {
    return b.node("Relu", scope + "/Relu", List.of(input), Map.of());
  }

  private static String weights(GraphBuilder b, String name, long seed, int out, int in, int k) {
    // Scaled so that activations stay of order 1 through the blocks.
    Tensor w = GradCheck.randn(seed, 0, out, in, k, k);
    float scale = (float) Math.sqrt(2.0 / (in * k * k));
    for (int i = 0; i < w.size(); i++) w.data()[i] *= scale;
    return b.initializer(name, w);
  }

  private final Network net = new Network(graph());
  private final Tensor x = GradCheck.randn(77, 0, 2, 3, 17, 15);

  @Test
  void gradientsAgreeWithTheArrayPasses() {
    BackwardRules asArrays = HeldGradientChainTest.ALL_AS_ARRAYS;
    BackwardRules[][] rules = {{BackwardRules.DEFAULT, asArrays},
        {BackwardRules.DEFAULT.with("Relu", Relu.GUIDED), asArrays.with("Relu", Relu.GUIDED)},
        {BackwardRules.DEFAULT.with("Relu", Relu.DECONVNET), asArrays.with("Relu", Relu.DECONVNET)}};
    // Twice: the second pass runs the tuned backward-data plans.
    for (int pass = 0; pass < 2; pass++) {
      for (List<String> wrt : List.of(List.of("x"), List.of("x", BLOCK2_INPUT), List.of(BLOCK1_INPUT))) {
        for (BackwardRules[] pair : rules) {
          Map<String, Tensor> held = gradients(wrt, pair[0]);
          Map<String, Tensor> arrays = gradients(wrt, pair[1]);
          for (String w : wrt) {
            Fixtures.assertClose(arrays.get(w), held.get(w), 1e-5, w + " with " + wrt + ", pass " + pass);
          }
        }
      }
    }
  }

  /**
   * x -> conv -> Add(., x) -> Add(., x) -> conv: the second Add hands its held gradient on to the first Add's
   * output, which is asked for; the first Add then passes a copy on, and the gradient asked for stays as it was.
   */
  @Test
  void aGradientAskedForIsCopiedWhereAnAddWouldHandItOn() {
    GraphBuilder b = new GraphBuilder("adds", 13);
    String input = b.input("x", -1, 16, 9, 7);
    Map<String, Object> same = Map.of("pads", new long[] {1, 1, 1, 1});
    String c1 = b.node("Conv", "/c1/Conv", List.of(input, weights(b, "w1", 81, 16, 16, 3)), same);
    String first = b.node("Add", "/first/Add", List.of(c1, input), Map.of());
    String second = b.node("Add", "/second/Add", List.of(first, input), Map.of());
    b.output(b.node("Conv", "/c2/Conv", List.of(second, weights(b, "w2", 82, 16, 16, 3)), same));
    Network adds = new Network(b.build(StandardOps.registry()));
    Tensor in = GradCheck.randn(83, 0, 2, 16, 9, 7);
    try (Trace trace = adds.forward(Map.of("x", in), ForwardOptions.forBackward())) {
      Map<String, Tensor> seeds = Map.of(adds.outputName(), GradCheck.randn(84, 0, 2, 16, 9, 7));
      List<String> wrt = List.of("x", first);
      Map<String, Tensor> arrays = adds.backward(trace, seeds, wrt, HeldGradientChainTest.ALL_AS_ARRAYS);
      Map<String, Tensor> held = adds.backward(trace, seeds, wrt, BackwardRules.DEFAULT);
      for (String w : wrt) Fixtures.assertClose(arrays.get(w), held.get(w), 1e-5, w);
    }
  }

  @Test
  void passesLeaveNothingAllocated() {
    NativeMemory.assertRunsFreeWhatTheyAllocate(() -> gradients(List.of("x"), BackwardRules.DEFAULT),
        "saliency passes");
  }

  private Map<String, Tensor> gradients(List<String> wrt, BackwardRules rules) {
    try (Trace trace = net.forward(Map.of("x", x), ForwardOptions.forBackward())) {
      Tensor seed = GradCheck.randn(78, 0, trace.get(net.outputName()).shape());
      return net.backward(trace, Map.of(net.outputName(), seed), wrt, rules);
    }
  }
}
