package org.convscope.engine.ops;

import java.util.ArrayList;
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
 * A small DenseNet as torch.onnx writes one (Huang et al., "Densely Connected Convolutional Networks", CVPR 2017):
 * a stem convolution and max pool, a dense block whose layers each concatenate every earlier layer's features
 * and normalize them (batch norm, ReLU) before a 1x1 and a 3x3 convolution, then a transition (batch norm, ReLU,
 * 1x1 convolution, a Pad of nothing and an average pool). Runs that record nothing or record for a backward pass
 * keep the concatenations and batch norms in oneDNN's memory; outputs must match ONNX Runtime's and a run's that
 * keeps every tensor (so computes on arrays), and so must the gradients.
 */
class DenseNetBlockTest {
  private static final int GROWTH = 8;
  private final Tensor x = GradCheck.randn(161, 0, 2, 3, 18, 17);

  @Test
  void denseBlockAndTransitionMatchOnnxRuntimeAndTheRunOnArrays() {
    HeldRuns.check(graph(18, 17), x, List.of("x", "/block/layer1/Concat_output_0", "/pool0/MaxPool_output_0"), 162, "/block/layer2/Concat_output_0");
  }

  /**
   * The saliency pass keeps its gradients held through the batch norms, Concats, the Pad and the average pool
   * (on 20 rows, which pool in whole windows), and gives what every op's Java pass gives.
   */
  @Test
  void heldGradientsMatchEachOpsJavaPass() {
    Network network = new Network(graph(20, 17));
    Tensor input = GradCheck.randn(165, 0, 2, 3, 20, 17);
    try (Trace trace = network.forward(Map.of("x", input), ForwardOptions.forBackward())) {
      Tensor seed = GradCheck.randn(166, 0, trace.get(network.outputName()).shape());
      Map<String, Tensor> seeds = Map.of(network.outputName(), seed);
      List<String> wrt = List.of("x", "/block/layer1/Concat_output_0");
      BackwardRules arrays = HeldGradientChainTest.ALL_AS_ARRAYS
          .with("BatchNormalization", HeldGradientChainTest.AS_ARRAYS)
          .with("Concat", HeldGradientChainTest.AS_ARRAYS).with("Pad", HeldGradientChainTest.AS_ARRAYS)
          .with("AveragePool", HeldGradientChainTest.AS_ARRAYS);
      Map<String, Tensor> expected = network.backward(trace, seeds, wrt, arrays);
      Map<String, Tensor> held = network.backward(trace, seeds, wrt, BackwardRules.DEFAULT);
      for (String t : wrt) Fixtures.assertClose(expected.get(t), held.get(t), 1e-5, "gradient of " + t);
    }
  }

  private static Graph graph(int height, int width) {
    GraphBuilder b = new GraphBuilder("densenet", 13);
    String in = b.input("x", -1, 3, height, width);
    String y = b.node("Conv", "/conv0/Conv", List.of(in, b.initializer("conv0.w", GradCheck.randn(163, 0, 16, 3, 3, 3)),
        b.initializer("conv0.b", GradCheck.randn(164, 0, 16))), Map.of("pads", new long[] {1, 1, 1, 1}));
    y = b.node("Relu", "/relu0/Relu", List.of(y), Map.of());
    y = b.node("MaxPool", "/pool0/MaxPool", List.of(y), Map.of("kernel_shape", new long[] {2, 2},
        "strides", new long[] {2, 2}));
    List<String> features = new ArrayList<>(List.of(y));
    int channels = 16;
    for (int layer = 0; layer < 3; layer++) {
      String scope = "/block/layer" + layer;
      String joined = b.node("Concat", scope + "/Concat", List.copyOf(features), Map.of("axis", 1L));
      String t = normReluConv(b, scope, joined, channels, 4 * GROWTH, 1, 170 + 10 * layer);
      t = b.node("Relu", scope + "/relu2/Relu", List.of(t), Map.of());
      t = b.node("Conv", scope + "/conv2/Conv", List.of(t, b.initializer(scope + ".conv2.w",
          GradCheck.randn(175 + 10 * layer, 0, GROWTH, 4 * GROWTH, 3, 3))), Map.of("pads", new long[] {1, 1, 1, 1}));
      features.add(t);
      channels += GROWTH;
    }
    String joined = b.node("Concat", "/block/Concat", List.copyOf(features), Map.of("axis", 1L));
    String t = normReluConv(b, "/transition", joined, channels, channels / 2, 1, 200);
    t = b.node("Pad", "/transition/pool/Pad", List.of(t, b.initializer("nothing", Tensor.ofLongs(new long[8], 8))),
        Map.of("mode", "constant"));
    t = b.node("AveragePool", "/transition/pool/AveragePool", List.of(t), Map.of("kernel_shape", new long[] {2, 2},
        "strides", new long[] {2, 2}));
    return b.output(t).build(StandardOps.registry());
  }

  /** Batch norm, ReLU and a convolution without bias, as DenseNet's layers begin. */
  private static String normReluConv(GraphBuilder b, String scope, String x, int in, int out, int kernel, int seed) {
    String n = b.node("BatchNormalization", scope + "/norm/BatchNormalization", List.of(x,
        b.initializer(scope + ".norm.weight", GradCheck.randn(seed, 0, in)),
        b.initializer(scope + ".norm.bias", GradCheck.randn(seed + 1, 0, in)),
        b.initializer(scope + ".norm.mean", GradCheck.randn(seed + 2, 0, in)),
        b.initializer(scope + ".norm.var", PointwiseFixtures.uniform(seed + 3, 0.5f, 2, in))), Map.of());
    String r = b.node("Relu", scope + "/relu/Relu", List.of(n), Map.of());
    return b.node("Conv", scope + "/conv/Conv", List.of(r, b.initializer(scope + ".conv.w",
        GradCheck.randn(seed + 4, 0, out, in, kernel, kernel))), Map.of());
  }
}
