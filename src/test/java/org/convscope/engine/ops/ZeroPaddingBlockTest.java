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
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Zeros padded around held activations: Keras's ZeroPadding2D before a strided convolution and max pool (as its
 * ResNet50 exports), and Inception-v3's Pad before a 3x3 average pool counting the zeros, as torch.onnx writes
 * it. Outputs match ONNX Runtime's and a run's on arrays, and the gradients every op's Java pass gives.
 */
class ZeroPaddingBlockTest {
  private final Tensor x = GradCheck.randn(301, 0, 2, 3, 19, 16);

  @Test
  void paddedBlocksMatchOnnxRuntimeAndTheJavaPasses() {
    Graph graph = graph();
    HeldRuns.check(graph, x, List.of("x", "/stem/Relu_output_0"), 302, "/branch/Pad_output_0");
    Network network = new Network(graph);
    try (Trace trace = network.forward(Map.of("x", x), ForwardOptions.forBackward())) {
      Tensor seed = GradCheck.randn(303, 0, trace.get(network.outputName()).shape());
      Map<String, Tensor> seeds = Map.of(network.outputName(), seed);
      List<String> wrt = List.of("x", "/stem/Relu_output_0");
      BackwardRules arrays = HeldGradientChainTest.ALL_AS_ARRAYS.with("Pad", HeldGradientChainTest.AS_ARRAYS)
          .with("AveragePool", HeldGradientChainTest.AS_ARRAYS).with("Concat", HeldGradientChainTest.AS_ARRAYS);
      Map<String, Tensor> expected = network.backward(trace, seeds, wrt, arrays);
      Map<String, Tensor> held = network.backward(trace, seeds, wrt, BackwardRules.DEFAULT);
      for (String t : wrt) Fixtures.assertClose(expected.get(t), held.get(t), 1e-5, "gradient of " + t);
    }
  }

  private static Graph graph() {
    GraphBuilder b = new GraphBuilder("zero-padding", 13);
    String in = b.input("x", -1, 3, 19, 16);
    // Keras: ZeroPadding2D((3, 3)), Conv2D(7x7, stride 2, valid), ReLU, ZeroPadding2D((1, 1)), MaxPool(3, 2).
    String y = b.node("Pad", "/stem/Pad", List.of(in, b.initializer("stem.pads",
        Tensor.ofLongs(new long[] {0, 0, 3, 3, 0, 0, 3, 3}, 8))), Map.of("mode", "constant"));
    y = b.node("Conv", "/stem/Conv", List.of(y, b.initializer("stem.w", GradCheck.randn(304, 0, 16, 3, 7, 7)),
        b.initializer("stem.b", GradCheck.randn(305, 0, 16))), Map.of("strides", new long[] {2, 2}));
    y = b.node("Relu", "/stem/Relu", List.of(y), Map.of());
    String p = b.node("Pad", "/pool/Pad", List.of(y, b.initializer("pool.pads",
        Tensor.ofLongs(new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8))), Map.of("mode", "constant"));
    p = b.node("MaxPool", "/pool/MaxPool", List.of(p), Map.of("kernel_shape", new long[] {3, 3},
        "strides", new long[] {2, 2}));
    // Inception-v3: a 1x1 branch beside Pad, AveragePool(3x3, stride 1), 1x1, joined.
    String a = b.node("Conv", "/branch1/Conv", List.of(p, b.initializer("b1.w", GradCheck.randn(306, 0, 16, 16, 1, 1))),
        Map.of());
    String c = b.node("Pad", "/branch/Pad", List.of(p, b.initializer("branch.pads",
        Tensor.ofLongs(new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8))), Map.of("mode", "constant"));
    c = b.node("AveragePool", "/branch/AveragePool", List.of(c), Map.of("kernel_shape", new long[] {3, 3},
        "strides", new long[] {1, 1}));
    c = b.node("Conv", "/branch/Conv", List.of(c, b.initializer("b2.w", GradCheck.randn(307, 0, 16, 16, 1, 1))),
        Map.of());
    String joined = b.node("Concat", "/Concat", List.of(a, c), Map.of("axis", 1L));
    return b.output(b.node("Relu", "/out/Relu", List.of(joined), Map.of())).build(StandardOps.registry());
  }
}
