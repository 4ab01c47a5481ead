package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Activations other than clamps as oneDNN post-ops of the convolution before them, in runs that fuse: each
 * ONNX activation, and SiLU and HardSwish as PyTorch exports them (Mul(x, Sigmoid(x)), Mul(x, HardSigmoid(x))).
 * The fused values must equal the unfused ops' to rounding, and at the edge values as {@code Activation.Kind}
 * documents.
 */
class FusedActivationTest {
  private final Tensor x = GradCheck.randn(11, 0, 2, 5, 13, 11);
  private final Tensor w1 = GradCheck.randn(12, 0, 7, 5, 3, 3);
  private final Tensor b1 = GradCheck.randn(13, 0, 7);
  private final Tensor w2 = GradCheck.randn(14, 0, 3, 7, 1, 1);

  /** The nodes after a convolution, given the builder and the convolution's output; returns their output. */
  enum Case {
    RELU((b, c) -> b.node("Relu", "/a/Relu", List.of(c), Map.of())),
    CLIP((b, c) -> b.node("Clip", "/a/Clip", List.of(c, b.initializer("lo", Tensor.scalar(-0.5f)),
        b.initializer("hi", Tensor.scalar(1.5f))), Map.of())),
    LEAKY_RELU((b, c) -> b.node("LeakyRelu", "/a/LeakyRelu", List.of(c), Map.of("alpha", 0.1f))),
    ELU((b, c) -> b.node("Elu", "/a/Elu", List.of(c), Map.of("alpha", 0.7f))),
    TANH((b, c) -> b.node("Tanh", "/a/Tanh", List.of(c), Map.of())),
    SIGMOID((b, c) -> b.node("Sigmoid", "/a/Sigmoid", List.of(c), Map.of())),
    HARD_SIGMOID((b, c) -> b.node("HardSigmoid", "/a/HardSigmoid", List.of(c), Map.of("alpha", 0.3f, "beta", 0.4f))),
    HARD_SWISH((b, c) -> b.node("HardSwish", "/a/HardSwish", List.of(c), Map.of())),
    SILU((b, c) -> b.node("Mul", "/a/Mul", List.of(c, b.node("Sigmoid", "/a/Sigmoid", List.of(c), Map.of())),
        Map.of())),
    SILU_SWAPPED((b, c) -> b.node("Mul", "/a/Mul", List.of(b.node("Sigmoid", "/a/Sigmoid", List.of(c), Map.of()), c),
        Map.of())),
    HARD_SWISH_AS_EXPORTED((b, c) -> b.node("Mul", "/a/Mul", List.of(c,
        b.node("HardSigmoid", "/a/HardSigmoid", List.of(c), Map.of("alpha", 1f / 6, "beta", 0.5f))), Map.of()));

    final BiFunction<GraphBuilder, String, String> nodes;

    Case(BiFunction<GraphBuilder, String, String> nodes) {
      this.nodes = nodes;
    }
  }

  /** x -> 3x3 conv (5 to 7 channels) -> the case's activation -> 1x1 conv (7 to 3). */
  private Network network(Case c, CountingConv.Counts counts) {
    GraphBuilder b = new GraphBuilder("activation", 14);
    String in = b.input("x", -1, 5, 13, 11);
    String c1 = b.node("Conv", "/c1/Conv", List.of(in, b.initializer("w1", w1), b.initializer("b1", b1)),
        Map.of("pads", new long[] {1, 1, 1, 1}));
    String a = c.nodes.apply(b, c1);
    b.output(b.node("Conv", "/c2/Conv", List.of(a, b.initializer("w2", w2)), Map.of()));
    return new Network(b.build(CountingConv.registry(counts)));
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void fusedActivationsGiveTheUnfusedValues(Case c) {
    CountingConv.Counts counts = new CountingConv.Counts();
    Network net = network(c, counts);
    Map<String, Tensor> feeds = Map.of("x", x);
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    assertEquals("activated 0, held in 0, held out 0", counts.take(), "the reference run fuses nothing");
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(net.outputName());
    assertEquals("activated 1, held in 1, held out 1", counts.take(), "c1 applies the activation and holds it for c2");
    Fixtures.assertClose(plain.get(net.outputName()), fused, 1e-5, c.name());
  }

  /** A pooling applies the activations too, and its output stays held for the convolution after it. */
  @ParameterizedTest
  @EnumSource(Case.class)
  void poolingsApplyActivationsToo(Case c) {
    CountingConv.Counts counts = new CountingConv.Counts();
    GraphBuilder b = new GraphBuilder("pooling-activation", 14);
    String in = b.input("x", -1, 5, 13, 11);
    String pooled = b.node("MaxPool", "/p/MaxPool", List.of(in), Map.of("kernel_shape", new long[] {3, 3},
        "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}));
    String w = b.initializer("w", GradCheck.randn(16, 0, 3, 5, 1, 1));
    b.output(b.node("Conv", "/c/Conv", List.of(c.nodes.apply(b, pooled), w), Map.of()));
    Network net = new Network(b.build(CountingConv.registry(counts)));
    Map<String, Tensor> feeds = Map.of("x", x);
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    counts.take();
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(net.outputName());
    assertEquals("activated 0, held in 1, held out 0", counts.take(), "the convolution reads the pooling held");
    Fixtures.assertClose(plain.get(net.outputName()), fused, 1e-5, c.name());
  }

  /**
   * A recorded run fuses only activations whose backward pass reads their output alone (clamps): the others
   * would need the convolution's output, run again. Gated products (SiLU, HardSwish as exported) run through
   * oneDNN on the convolution's output held, and the next convolution reads the product held. Either way the run
   * gives every tensor and the same gradients.
   */
  @ParameterizedTest
  @EnumSource(Case.class)
  void recordedRunsGiveTheUnfusedTensorsAndGradients(Case c) {
    CountingConv.Counts counts = new CountingConv.Counts();
    Network net = network(c, counts);
    Map<String, Tensor> feeds = Map.of("x", x);
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    Trace fused = net.forward(feeds, ForwardOptions.forBackward());
    boolean clamp = c == Case.RELU || c == Case.CLIP;
    boolean gated = c == Case.SILU || c == Case.SILU_SWAPPED || c == Case.HARD_SWISH_AS_EXPORTED;
    assertEquals(clamp ? "activated 1, held in 1, held out 1"
        : gated ? "activated 0, held in 1, held out 1" : "activated 0, held in 0, held out 0", counts.take());
    Tensor seed = GradCheck.randn(15, 0, plain.get(net.outputName()).shape());
    List<String> wrt = List.of("x", "w1", "b1", "/c1/Conv_output_0");
    for (BackwardRules rules : List.of(BackwardRules.DEFAULT, BackwardRules.DEFAULT.with("Relu", Relu.GUIDED),
        BackwardRules.DEFAULT.with("Relu", Relu.DECONVNET))) {
      Map<String, Tensor> expected = net.backward(plain, Map.of(net.outputName(), seed), wrt, rules);
      Map<String, Tensor> got = net.backward(fused, Map.of(net.outputName(), seed), wrt, rules);
      for (String t : wrt) Fixtures.assertClose(expected.get(t), got.get(t), 1e-5, c + " gradient of " + t);
    }
    for (Node node : net.graph().nodes()) {
      for (String out : node.outputs()) Fixtures.assertClose(plain.get(out), fused.get(out), 1e-5, c + " " + out);
    }
  }

  @Test
  void aGateWithAnotherReaderOrKeptIsNotFused() {
    CountingConv.Counts counts = new CountingConv.Counts();
    GraphBuilder b = new GraphBuilder("gate-read-twice", 13);
    String in = b.input("x", -1, 5, 13, 11);
    String c1 = b.node("Conv", "/c1/Conv", List.of(in, b.initializer("w1", w1), b.initializer("b1", b1)), Map.of());
    String gate = b.node("Sigmoid", "/a/Sigmoid", List.of(c1), Map.of());
    String mul = b.node("Mul", "/a/Mul", List.of(c1, gate), Map.of());
    b.output(b.node("Add", "/a/Add", List.of(mul, gate), Map.of()));
    Network net = new Network(b.build(CountingConv.registry(counts)));
    Map<String, Tensor> feeds = Map.of("x", x);
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(net.outputName());
    assertEquals("activated 0, held in 0, held out 0", counts.take(), "the Sigmoid's output is read by the Add too");
    Fixtures.assertClose(plain.get(net.outputName()), fused, 1e-5, "output");

    Network silu = network(Case.SILU, counts);
    Trace keeping = silu.forward(feeds, ForwardOptions.keeping("/a/Sigmoid_output_0"));
    // x stays held for the product (as in a recorded run), and is read back once for the gate and the Mul.
    assertEquals("activated 0, held in 0, held out 1", counts.take(), "a kept gate is computed");
    Trace silu0 = silu.forward(feeds, CountingConv.unfused(silu));
    Fixtures.assertClose(silu0.get("/a/Sigmoid_output_0"), keeping.get("/a/Sigmoid_output_0"), 1e-6, "gate");
    Fixtures.assertClose(silu0.get(silu.outputName()), keeping.get(silu.outputName()), 1e-5, "output");
  }

  /**
   * Edge values through a 1x1 convolution that copies its input: the fused activation gives what the ONNX op
   * gives, apart from the differences {@code Activation.Kind} documents.
   */
  @ParameterizedTest
  @EnumSource(Case.class)
  void edgeValuesAreAsDocumented(Case c) {
    float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -100f, -90f, -3f, 0f, 3f, 100f,
        1e-3f, -1e-3f, 2.5f, -2.5f, 7f, 1e30f, -1e30f};
    GraphBuilder b = new GraphBuilder("edges", 14);
    String in = b.input("x", 1, 1, 4, 4);
    String c1 = b.node("Conv", "/c1/Conv", List.of(in, b.initializer("one", Tensor.of(new float[] {1f}, 1, 1, 1, 1))),
        Map.of());
    b.output(c.nodes.apply(b, c1));
    CountingConv.Counts counts = new CountingConv.Counts();
    Network net = new Network(b.build(CountingConv.registry(counts)));
    Map<String, Tensor> feeds = Map.of("x", Tensor.of(v, 1, 1, 4, 4));
    float[] expected = net.forward(feeds, CountingConv.unfused(net)).get(net.outputName()).data();
    float[] got = net.forward(feeds, ForwardOptions.inference()).get(net.outputName()).data();
    assertEquals("activated 1, held in 0, held out 0", counts.take());
    for (int i = 0; i < v.length; i++) {
      float e = expected[i];
      if (Float.isNaN(v[i]) && (c == Case.RELU || c == Case.CLIP)) e = c == Case.RELU ? 0f : -0.5f; // the lower bound
      if (Float.isNaN(v[i]) && c == Case.HARD_SIGMOID) e = 1f;
      if (v[i] <= -90 && v[i] > Float.NEGATIVE_INFINITY && (c == Case.SILU || c == Case.SILU_SWAPPED)) e = -0f; // not a tiny subnormal
      boolean same = Float.isNaN(e) ? Float.isNaN(got[i])
          : got[i] == e || Math.abs(got[i] - e) <= 1e-6 * Math.max(1, Math.abs(e));
      if (!same) throw new AssertionError(c + " at " + v[i] + ": fused " + got[i] + ", the op " + expected[i]);
    }
  }
}
