package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.FusingOp;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.Node;
import org.convscope.engine.Network;
import org.convscope.engine.OpRegistry;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Convolutions run together in runs that record nothing: a following Relu or Clip as a clamp post-op, and the
 * tensor between two convolutions left in oneDNN's layout. The results must equal the unfused ops' value for
 * value, and any run that keeps or records a tensor must still get it.
 */
class FusedClampTest {
  private final Tensor x = GradCheck.randn(1, 0, 2, 8, 15, 13);
  private final Tensor w1 = GradCheck.randn(2, 0, 16, 8, 3, 3);
  private final Tensor b1 = GradCheck.randn(3, 0, 16);
  private final Tensor wDepthwise = GradCheck.randn(4, 0, 16, 1, 3, 3);
  private final Tensor w3 = GradCheck.randn(5, 0, 8, 16, 1, 1);
  private final Tensor w4 = GradCheck.randn(6, 0, 8, 8, 3, 3);

  /**
   * conv -> Relu -> depthwise conv (stride 2) -> Clip(0, 6) from Constant nodes -> 1x1 conv -> Clip(-1, 1) whose conv output is
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
    // As PyTorch exports ReLU6: the bounds are Constant nodes between the convolution and the Clip.
    String zero = b.node("Constant", "/r2/Constant", List.of(), Map.of("value_float", 0f));
    String six = b.node("Constant", "/r2/Constant_1", List.of(), Map.of("value_float", 6f));
    String r2 = b.node("Clip", "/r2/Clip", List.of(c2, zero, six), Map.of());
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

  /**
   * A recorded run fuses too, skipping the convolution outputs that only a Relu or Clip reads. Its trace still
   * gives every tensor (the skipped ones recomputed) and the backward pass the same gradients, to the last bit,
   * as a run that fuses nothing (one that keeps every tensor).
   */
  @Test
  void fusedRecordedRunsGiveTheUnfusedTensorsAndGradients() {
    Network net = network(StandardOps.registry());
    Map<String, Tensor> feeds = Map.of("x", x);
    Trace fused = net.forward(feeds, ForwardOptions.forBackward());
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    Tensor seed = GradCheck.randn(3, 0, plain.get("/r4/Relu_output_0").shape());
    // The clamps' outputs too: their gradients are asked for while the clamps' backward passes still run, which
    // otherwise write theirs over them.
    List<String> wrt = List.of("x", "w1", "wd", "/c3/Conv_output_0", "/c1/Conv_output_0", "/r1/Relu_output_0",
        "/r2/Clip_output_0");
    for (BackwardRules rules : List.of(BackwardRules.DEFAULT, BackwardRules.DEFAULT.with("Relu", Relu.GUIDED),
        BackwardRules.DEFAULT.with("Relu", Relu.DECONVNET))) {
      Map<String, Tensor> expected = net.backward(plain, Map.of("/r4/Relu_output_0", seed), wrt, rules);
      Map<String, Tensor> got = net.backward(fused, Map.of("/r4/Relu_output_0", seed), wrt, rules);
      for (String t : wrt) assertArrayEquals(expected.get(t).data(), got.get(t).data(), t);
    }
    for (Node node : net.graph().nodes()) {
      for (String out : node.outputs()) assertArrayEquals(plain.get(out).data(), fused.get(out).data(), out);
    }
  }

  @Test
  void convolutionWithAClampEqualsTheConvolutionClamped() {
    Conv conv = (Conv) SpatialTesting.op("Conv", 13, 3, 1, "pads", new int[] {1, 1, 1, 1}, "strides", new int[] {2, 1});
    Tensor[] inputs = {x, w1, b1};
    ExecutionContext c = ExecutionContext.inference();
    float[] plain = conv.forward(c, inputs)[0].data();
    for (Activation clamp : new Activation[] {Activation.relu(), Activation.clamp(0, 6), Activation.clamp(-0.5f, 0.25f)}) {
      float[] expected = new float[plain.length];
      for (int i = 0; i < plain.length; i++) expected[i] = Math.min(Math.max(plain[i], clamp.alpha()), clamp.beta());
      assertArrayEquals(expected, conv.forwardFused(c, inputs, null, null, clamp, false).tensor().data(), clamp.toString());
      try (HeldTensor held = conv.forwardFused(c, inputs, null, null, clamp, true).held()) {
        assertArrayEquals(expected, held.toTensor().data(), "held, " + clamp);
      }
    }
  }

  @Test
  void aHeldOutputFeedsTheNextConvolution() {
    Conv first = (Conv) SpatialTesting.op("Conv", 13, 3, 1, "pads", new int[] {1, 1, 1, 1});
    Conv second = (Conv) SpatialTesting.op("Conv", 13, 2, 1, "group", 16, "strides", new int[] {2, 2},
        "pads", new int[] {1, 1, 1, 1});
    ExecutionContext c = ExecutionContext.inference();
    Tensor between = first.forward(c, new Tensor[] {x, w1, b1})[0];
    float[] expected = second.forward(c, new Tensor[] {between, wDepthwise})[0].data();
    try (HeldTensor held = first.forwardFused(c, new Tensor[] {x, w1, b1}, null, null, null, true).held()) {
      FusingOp.Output out = second.forwardFused(c, new Tensor[] {null, wDepthwise}, held, null, null, false);
      assertArrayEquals(expected, out.tensor().data());
    }
  }

  @Test
  void onlyTensorsNobodyElseNeedsAreFusedOrHeld() {
    CountingConv.Counts counts = new CountingConv.Counts();
    Network net = network(CountingConv.registry(counts));
    Map<String, Tensor> feeds = Map.of("x", x);
    net.forward(feeds, ForwardOptions.inference());
    assertEquals("activated 3, held in 2, held out 2", counts.take(),
        "c1, c2 and c4 take their activation (c3's output is also read by the Add); r1 and r2 stay held");
    Trace recorded = net.forward(feeds, ForwardOptions.forBackward());
    assertEquals("activated 3, held in 2, held out 2", counts.take(), "recorded inference fuses too");
    for (Node node : net.graph().nodes()) {
      for (String out : node.outputs()) assertTrue(recorded.has(out), out + " is in the recorded trace");
    }
    net.forward(feeds, ForwardOptions.forTraining());
    assertEquals("activated 3, held in 2, held out 2", counts.take(), "training runs fuse too");
    net.forward(feeds, ForwardOptions.keeping("/c2/Conv_output_0", "/r1/Relu_output_0"));
    assertEquals("activated 2, held in 0, held out 0", counts.take(), "kept tensors are computed");
  }
}
