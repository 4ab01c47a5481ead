package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.convscope.engine.Clamp;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.OpRegistry;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Conv followed by Relu or Clip, fused into one oneDNN convolution with a clamp post-op in runs that record
 * nothing: the results must equal the unfused ops' value for value, and any run that keeps or records the
 * pre-activation tensor must still get it.
 */
class FusedClampTest {
  private final Tensor x = GradCheck.randn(1, 0, 2, 8, 15, 13);
  private final Tensor w1 = GradCheck.randn(2, 0, 16, 8, 3, 3);
  private final Tensor b1 = GradCheck.randn(3, 0, 16);
  private final Tensor wDepthwise = GradCheck.randn(4, 0, 16, 1, 3, 3);
  private final Tensor w3 = GradCheck.randn(5, 0, 8, 16, 1, 1);
  private final Tensor w4 = GradCheck.randn(6, 0, 8, 8, 3, 3);

  /**
   * conv -> Relu -> depthwise conv (stride 2) -> Clip(0, 6) -> 1x1 conv -> Clip(-1, 1) whose conv output is
   * also read by an Add (so not fused) -> 3x3 conv -> Relu (the graph output).
   */
  private Network network(OpRegistry registry) {
    GraphBuilder b = new GraphBuilder("fusable", 13);
    String in = b.input("x", -1, 8, 15, 13);
    String c1 = b.node("Conv", "/c1/Conv", List.of(in, b.initializer("w1", w1), b.initializer("b1", b1)),
        Map.of("pads", new long[] {1, 1, 1, 1}));
    String r1 = b.node("Relu", "/r1/Relu", List.of(c1), Map.of());
    String c2 = b.node("Conv", "/c2/Conv", List.of(r1, b.initializer("wd", wDepthwise)),
        Map.of("group", 16L, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}));
    String r2 = b.node("Clip", "/r2/Clip", List.of(c2, b.initializer("zero", Tensor.scalar(0)),
        b.initializer("six", Tensor.scalar(6))), Map.of());
    String c3 = b.node("Conv", "/c3/Conv", List.of(r2, b.initializer("w3", w3)), Map.of());
    String r3 = b.node("Clip", "/r3/Clip", List.of(c3, b.initializer("lo", Tensor.scalar(-1)),
        b.initializer("hi", Tensor.scalar(1))), Map.of());
    String sum = b.node("Add", "/sum/Add", List.of(r3, c3), Map.of());
    String c4 = b.node("Conv", "/c4/Conv", List.of(sum, b.initializer("w4", w4)), Map.of());
    String r4 = b.node("Relu", "/r4/Relu", List.of(c4), Map.of());
    b.output(r4);
    return new Network(b.build(registry));
  }

  @Test
  void fusedRunsGiveTheUnfusedValues() {
    Network net = network(StandardOps.registry());
    Map<String, Tensor> feeds = Map.of("x", x);
    Trace recorded = net.forward(feeds, ForwardOptions.forBackward());
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get("/r4/Relu_output_0");
    assertArrayEquals(recorded.get("/r4/Relu_output_0").data(), fused.data());

    Trace keeping = net.forward(feeds, ForwardOptions.keeping("/c1/Conv_output_0", "/r2/Clip_output_0"));
    assertArrayEquals(recorded.get("/c1/Conv_output_0").data(), keeping.get("/c1/Conv_output_0").data());
    assertArrayEquals(recorded.get("/r2/Clip_output_0").data(), keeping.get("/r2/Clip_output_0").data());
    assertArrayEquals(recorded.get("/r4/Relu_output_0").data(), keeping.get("/r4/Relu_output_0").data());
    assertTrue(keeping.names().equals(Set.of("/c1/Conv_output_0", "/r2/Clip_output_0", "/r4/Relu_output_0")));
  }

  @Test
  void convolutionWithAClampEqualsTheConvolutionClamped() {
    Conv conv = (Conv) SpatialTesting.op("Conv", 13, 3, 1, "pads", new int[] {1, 1, 1, 1}, "strides", new int[] {2, 1});
    Tensor[] inputs = {x, w1, b1};
    ExecutionContext c = ExecutionContext.inference();
    float[] plain = conv.forward(c, inputs)[0].data();
    for (Clamp clamp : new Clamp[] {Clamp.relu(), new Clamp(0, 6), new Clamp(-0.5f, 0.25f)}) {
      float[] expected = new float[plain.length];
      for (int i = 0; i < plain.length; i++) expected[i] = Math.min(Math.max(plain[i], clamp.lower()), clamp.upper());
      assertArrayEquals(expected, conv.forwardClamped(c, inputs, clamp)[0].data(), clamp.toString());
    }
  }

  @Test
  void onlyConvolutionsWhoseOutputNobodyElseNeedsAreFused() {
    AtomicInteger fusedCalls = new AtomicInteger();
    OpRegistry counting = new OpRegistry();
    for (String type : StandardOps.registry().opTypes()) {
      counting.register(type, spec -> {
        var op = StandardOps.registry().create(spec);
        if (!(op instanceof Conv conv)) return op;
        return new CountingConv(conv, fusedCalls);
      });
    }
    Network net = network(counting);
    Map<String, Tensor> feeds = Map.of("x", x);
    net.forward(feeds, ForwardOptions.inference());
    assertEquals(3, fusedCalls.getAndSet(0), "c1, c2 and c4; c3's output is also read by the Add");
    net.forward(feeds, ForwardOptions.forBackward());
    assertEquals(0, fusedCalls.getAndSet(0), "recorded runs keep every tensor");
    net.forward(feeds, ForwardOptions.keeping("/c2/Conv_output_0"));
    assertEquals(2, fusedCalls.get(), "a kept pre-activation is computed");
  }

  /** A Conv that counts its fused runs. */
  private static final class CountingConv implements org.convscope.engine.ClampFusing {
    private final Conv conv;
    private final AtomicInteger fusedCalls;

    CountingConv(Conv conv, AtomicInteger fusedCalls) {
      this.conv = conv;
      this.fusedCalls = fusedCalls;
    }

    @Override
    public Tensor[] forwardClamped(ExecutionContext context, Tensor[] inputs, Clamp clamp) {
      fusedCalls.incrementAndGet();
      return conv.forwardClamped(context, inputs, clamp);
    }

    @Override
    public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
      return conv.forward(context, inputs);
    }

    @Override
    public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
        boolean[] needed) {
      return conv.backward(context, inputs, outputs, outputGrads, needed);
    }
  }
}
