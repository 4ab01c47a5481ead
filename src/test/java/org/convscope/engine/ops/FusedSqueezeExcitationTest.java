package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Squeeze-and-excitation blocks in runs that fuse: the global average pooling reads the held activation, and the
 * Mul scaling it by the excitation's per-channel factors runs in oneDNN on the held tensor, so that the product
 * stays held for the next convolution. Values and gradients must be the unfused run's.
 */
class FusedSqueezeExcitationTest {
  private final Tensor x = GradCheck.randn(31, 0, 2, 5, 9, 7);
  private final Tensor w1 = GradCheck.randn(32, 0, 11, 5, 3, 3);
  private final Tensor b1 = GradCheck.randn(33, 0, 11);
  private final Tensor wSqueeze = GradCheck.randn(34, 0, 3, 11, 1, 1);
  private final Tensor bSqueeze = GradCheck.randn(35, 0, 3);
  private final Tensor wExcite = GradCheck.randn(36, 0, 11, 3, 1, 1);
  private final Tensor bExcite = GradCheck.randn(37, 0, 11);
  private final Tensor w3 = GradCheck.randn(38, 0, 6, 11, 1, 1);
  private final Map<String, Tensor> feeds = Map.of("x", x);

  /**
   * x -> 3x3 conv (5 to 11 channels) -> SiLU = t; GlobalAveragePool(t) -> 1x1 conv -> Relu -> 1x1 conv ->
   * Sigmoid = s; Mul(s, t), as EfficientNet writes it, -> 1x1 conv (11 to 6). With {@code fullFactors} the
   * factors are s + t, of t's shape, which oneDNN does not scale by.
   */
  private Network network(CountingConv.Counts counts, boolean fullFactors) {
    GraphBuilder b = new GraphBuilder("squeeze-excitation", 13);
    String in = b.input("x", -1, 5, 9, 7);
    String c1 = b.node("Conv", "/c1/Conv", List.of(in, b.initializer("w1", w1), b.initializer("b1", b1)),
        Map.of("pads", new long[] {1, 1, 1, 1}));
    String t = b.node("Mul", "/silu/Mul", List.of(c1, b.node("Sigmoid", "/silu/Sigmoid", List.of(c1), Map.of())),
        Map.of());
    String pooled = b.node("GlobalAveragePool", "/se/GlobalAveragePool", List.of(t), Map.of());
    String squeezed = b.node("Conv", "/se/fc1/Conv", List.of(pooled, b.initializer("ws", wSqueeze),
        b.initializer("bs", bSqueeze)), Map.of());
    String relu = b.node("Relu", "/se/Relu", List.of(squeezed), Map.of());
    String excited = b.node("Conv", "/se/fc2/Conv", List.of(relu, b.initializer("we", wExcite),
        b.initializer("be", bExcite)), Map.of());
    String s = b.node("Sigmoid", "/se/Sigmoid", List.of(excited), Map.of());
    String factors = fullFactors ? b.node("Add", "/se/Add", List.of(s, t), Map.of()) : s;
    String scaled = b.node("Mul", "/se/Mul", List.of(factors, t), Map.of());
    b.output(b.node("Conv", "/c3/Conv", List.of(scaled, b.initializer("w3", w3)), Map.of()));
    return new Network(b.build(CountingConv.registry(counts)));
  }

  @Test
  void theScaledTensorStaysHeldAndKeepsItsValues() {
    CountingConv.Counts counts = new CountingConv.Counts();
    Network net = network(counts, false);
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    counts.take();
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(net.outputName());
    assertEquals("activated 3, held in 3, held out 3", counts.take(), "c1 (SiLU), fc1 (Relu) and fc2 (Sigmoid) take "
        + "their activations and hold their outputs; fc1 reads the pooling held, fc2 fc1's output and c3 the product");
    Fixtures.assertClose(plain.get(net.outputName()), fused, 1e-5, "output");

    Trace keeping = net.forward(feeds, ForwardOptions.keeping("/se/Mul_output_0"));
    assertEquals("activated 3, held in 2, held out 3", counts.take(), "a kept product is an array, which c3 reads");
    Fixtures.assertClose(plain.get("/se/Mul_output_0"), keeping.get("/se/Mul_output_0"), 1e-5, "kept product");
    Fixtures.assertClose(plain.get(net.outputName()), keeping.get(net.outputName()), 1e-5, "output when kept");
  }

  @Test
  void factorsOfAnotherShapeAreMultipliedAsArrays() {
    CountingConv.Counts counts = new CountingConv.Counts();
    Network net = network(counts, true);
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    counts.take();
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(net.outputName());
    // fc2 holds its output for the Add, whose operands may both come held; their shapes differ, so the Add reads
    // it back (one conversion, as fc2 would have made) and c3 reads the product as an array.
    assertEquals("activated 3, held in 2, held out 3", counts.take(), "c3 reads the product as an array");
    Fixtures.assertClose(plain.get(net.outputName()), fused, 1e-5, "output");
  }

  @Test
  void recordedRunsGiveTheUnfusedTensorsAndGradients() {
    CountingConv.Counts counts = new CountingConv.Counts();
    Network net = network(counts, false);
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    Trace fused = net.forward(feeds, ForwardOptions.forBackward());
    Tensor seed = GradCheck.randn(39, 0, plain.get(net.outputName()).shape());
    List<String> wrt = List.of("x", "w1", "ws", "be", "/silu/Mul_output_0", "/se/fc1/Conv_output_0");
    for (BackwardRules rules : List.of(BackwardRules.DEFAULT, BackwardRules.DEFAULT.with("Relu", Relu.GUIDED),
        BackwardRules.DEFAULT.with("Relu", Relu.DECONVNET))) {
      Map<String, Tensor> expected = net.backward(plain, Map.of(net.outputName(), seed), wrt, rules);
      Map<String, Tensor> got = net.backward(fused, Map.of(net.outputName(), seed), wrt, rules);
      for (String t : wrt) Fixtures.assertClose(expected.get(t), got.get(t), 1e-5, "gradient of " + t);
    }
    for (Node node : net.graph().nodes()) {
      for (String out : node.outputs()) Fixtures.assertClose(plain.get(out), fused.get(out), 1e-5, out);
    }
  }

  /** A run recorded for gradients to the block's output only runs the block as an unrecorded run does. */
  @Test
  void partlyRecordedRunsGiveTheUnfusedGradients() {
    CountingConv.Counts counts = new CountingConv.Counts();
    Network net = network(counts, false);
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    Trace partial = net.forward(feeds, ForwardOptions.forBackwardTo("/se/Mul_output_0"));
    Tensor seed = GradCheck.randn(40, 0, plain.get(net.outputName()).shape());
    List<String> wrt = List.of("/se/Mul_output_0");
    Tensor expected = net.backward(plain, Map.of(net.outputName(), seed), wrt, BackwardRules.DEFAULT).get(wrt.get(0));
    Tensor got = net.backward(partial, Map.of(net.outputName(), seed), wrt, BackwardRules.DEFAULT).get(wrt.get(0));
    Fixtures.assertClose(expected, got, 1e-5, "gradient");
    Fixtures.assertClose(plain.get("/se/Mul_output_0"), partial.get("/se/Mul_output_0"), 1e-5, "product");
  }
}
