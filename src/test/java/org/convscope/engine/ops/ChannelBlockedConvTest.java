package org.convscope.engine.ops;

import static org.convscope.engine.ops.ConvTesting.assertClose;
import static org.convscope.engine.ops.ConvTesting.ints;

import java.util.List;
import java.util.Map;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Forward convolutions on channel-blocked activations (nChw16c with AVX-512, else nChw8c): an RGB stem reads its input row-major and
 * writes blocked, and depthwise and 1x1 convolutions reading a blocked input stay blocked; others take
 * oneDNN's layouts, and so does a depthwise convolution oneDNN has no blocked kernel for (5x4, dilated and
 * strided). A MobileNetV2-like chain with channel counts that are no multiple of 8 (the blocks are padded), a
 * batch of three and odd spatial sizes must give the reference's values, both held between convolutions (a
 * run that records nothing) and recorded.
 */
class ChannelBlockedConvTest {
  private static final int[] ONE = ints(1, 1);
  private static final int[] ZERO = ints(0, 0);

  private final Tensor x = GradCheck.randn(21, 0, 3, 3, 17, 13);
  private final Tensor w0 = scaled(22, 12, 3, 3, 3);
  private final Tensor b0 = GradCheck.randn(23, 0, 12);
  private final Tensor w1 = scaled(24, 12, 1, 3, 3);
  private final Tensor w2 = scaled(25, 20, 12, 1, 1);
  private final Tensor b2 = GradCheck.randn(26, 0, 20);
  private final Tensor w3 = scaled(27, 40, 20, 1, 1);
  private final Tensor w4 = scaled(28, 40, 1, 3, 3);
  private final Tensor b4 = GradCheck.randn(29, 0, 40);
  private final Tensor w5 = scaled(30, 20, 40, 1, 1);
  private final Tensor w6 = scaled(31, 20, 1, 5, 4);
  private final Tensor w7 = scaled(32, 20, 4, 3, 3);

  private static Tensor scaled(long seed, int... shape) {
    Tensor t = GradCheck.randn(seed, 0, shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] *= 0.4f; // keeps activations of order one, some above 6
    return t;
  }

  /**
   * RGB stem 3x3/2 (3 -> 12) -> Clip(0, 6) -> depthwise 3x3 -> Clip -> 1x1 (12 -> 20) (p) -> 1x1 (20 -> 40)
   * -> Clip -> depthwise 3x3 -> Clip -> 1x1 (40 -> 20) -> Add p -> depthwise 5x4 -> grouped 3x3, 4 channels
   * a group -> Relu.
   */
  private Network network() {
    GraphBuilder b = new GraphBuilder("separable", 13);
    String in = b.input("x", -1, 3, 17, 13);
    String lo = b.initializer("lo", Tensor.scalar(0f));
    String hi = b.initializer("hi", Tensor.scalar(6f));
    String c0 = b.node("Conv", "/c0/Conv", List.of(in, b.initializer("w0", w0), b.initializer("b0", b0)),
        Map.of("pads", new long[] {1, 1, 1, 1}, "strides", new long[] {2, 2}));
    String r0 = b.node("Clip", "/r0/Clip", List.of(c0, lo, hi), Map.of());
    String c1 = b.node("Conv", "/c1/Conv", List.of(r0, b.initializer("w1", w1)),
        Map.of("pads", new long[] {1, 1, 1, 1}, "group", 12L));
    String r1 = b.node("Clip", "/r1/Clip", List.of(c1, lo, hi), Map.of());
    String p = b.node("Conv", "/c2/Conv", List.of(r1, b.initializer("w2", w2), b.initializer("b2", b2)), Map.of());
    String c3 = b.node("Conv", "/c3/Conv", List.of(p, b.initializer("w3", w3)), Map.of());
    String r3 = b.node("Clip", "/r3/Clip", List.of(c3, lo, hi), Map.of());
    String c4 = b.node("Conv", "/c4/Conv", List.of(r3, b.initializer("w4", w4), b.initializer("b4", b4)),
        Map.of("pads", new long[] {1, 1, 1, 1}, "group", 40L));
    String r4 = b.node("Clip", "/r4/Clip", List.of(c4, lo, hi), Map.of());
    String c5 = b.node("Conv", "/c5/Conv", List.of(r4, b.initializer("w5", w5)), Map.of());
    String a5 = b.node("Add", "/a5/Add", List.of(c5, p), Map.of());
    String c6 = b.node("Conv", "/c6/Conv", List.of(a5, b.initializer("w6", w6)),
        Map.of("pads", new long[] {4, 3, 2, 1}, "group", 20L, "dilations", new long[] {2, 3},
            "strides", new long[] {3, 2}));
    String c7 = b.node("Conv", "/c7/Conv", List.of(c6, b.initializer("w7", w7)),
        Map.of("pads", new long[] {1, 1, 1, 1}, "group", 5L));
    b.output(b.node("Relu", "/r7/Relu", List.of(c7), Map.of()));
    return new Network(b.build(StandardOps.registry()));
  }

  private Tensor reference() {
    Tensor r0 = clamp(ConvReference.conv(x, w0, b0, 1, ints(2, 2), ONE, ONE, ONE), 6);
    Tensor r1 = clamp(ConvReference.conv(r0, w1, null, 12, ONE, ONE, ONE, ONE), 6);
    Tensor p = ConvReference.conv(r1, w2, b2, 1, ONE, ONE, ZERO, ZERO);
    Tensor r3 = clamp(ConvReference.conv(p, w3, null, 1, ONE, ONE, ZERO, ZERO), 6);
    Tensor r4 = clamp(ConvReference.conv(r3, w4, b4, 40, ONE, ONE, ONE, ONE), 6);
    Tensor a5 = ConvReference.conv(r4, w5, null, 1, ONE, ONE, ZERO, ZERO);
    for (int i = 0; i < a5.size(); i++) a5.data()[i] += p.data()[i];
    Tensor c6 = ConvReference.conv(a5, w6, null, 20, ints(3, 2), ints(2, 3), ints(4, 3), ints(2, 1));
    return clamp(ConvReference.conv(c6, w7, null, 5, ONE, ONE, ONE, ONE), Float.POSITIVE_INFINITY);
  }

  private static Tensor clamp(Tensor t, float upper) {
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = Math.min(Math.max(d[i], 0f), upper);
    return t;
  }

  @Test
  void heldAndRecordedChainsGiveTheReferenceValues() {
    Network net = network();
    Tensor expected = reference();
    Map<String, Tensor> feeds = Map.of("x", x);
    assertClose(expected, net.forward(feeds, ForwardOptions.inference()).get("/r7/Relu_output_0"));
    assertClose(expected, net.forward(feeds, ForwardOptions.forBackward()).get("/r7/Relu_output_0"));
  }

  @Test
  void singleConvolutionsWithPaddedChannelBlocksGiveTheReferenceValues() {
    // A batch of two, 20 channels (two and a half blocks of 8) in and 10 out, stride 2 and a dilation.
    Tensor in = GradCheck.randn(41, 0, 2, 20, 11, 9);
    Tensor w = GradCheck.randn(42, 0, 10, 20, 3, 3);
    Tensor bias = GradCheck.randn(43, 0, 10);
    Conv conv = new Conv(ConvTesting.spec("Conv", "strides", ints(2, 1), "dilations", ints(1, 2),
        "pads", ints(1, 2, 0, 2)));
    assertClose(ConvReference.conv(in, w, bias, 1, ints(2, 1), ints(1, 2), ints(1, 2), ints(0, 2)),
        conv.forward(ExecutionContext.inference(), new Tensor[] {in, w, bias})[0]);
  }
}
