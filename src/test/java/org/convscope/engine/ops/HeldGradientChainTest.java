package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRule;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.engine.dnnl.NativeBuffer;
import org.convscope.engine.dnnl.NativeMemory;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The backward pass through chains of convolutions and clamps with the gradients held in oneDNN's layout
 * between them ({@code HeldGradientOp}) gives the gradients the ops' Java backward passes give, frees what it
 * held when it fails, and steps aside where a rule replaces a clamp's backward pass.
 */
class HeldGradientChainTest {
  /** Each op's own backward pass, as a rule: a rule turns the held path off for its op type. */
  static final BackwardRule AS_ARRAYS = (context, op, inputs, outputs, grads, needed) ->
      op.backward(context, inputs, outputs, grads, needed);
  /**
   * Every op type whose inference backward pass can keep a gradient held (the {@code HeldGradientOp}s, and the
   * gates of a gated product, Mul(x, Sigmoid(x)) and Mul(x, HardSigmoid(x))) on its Java pass: the reference the
   * held path is checked against.
   */
  static final BackwardRules ALL_AS_ARRAYS = BackwardRules.DEFAULT.with("Conv", AS_ARRAYS)
      .with("Relu", AS_ARRAYS).with("Clip", AS_ARRAYS).with("Add", AS_ARRAYS).with("MaxPool", AS_ARRAYS)
      .with("Mul", AS_ARRAYS).with("GlobalAveragePool", AS_ARRAYS).with("Sigmoid", AS_ARRAYS)
      .with("HardSigmoid", AS_ARRAYS);

  /**
   * MobileNetV2's block and ResNet's, with odd sizes: 1x1 expansion, ReLU6, 3x3 depthwise with stride 2, ReLU6,
   * 1x1 projection; then 3x3 conv, Relu, 3x3 conv, residual Add, Relu; then a strided 3x3 conv.
   */
  private static Network network() {
    GraphBuilder b = new GraphBuilder("chains", 13);
    String x = b.input("x", -1, 5, 17, 13);
    String lo = b.initializer("lo", Tensor.scalar(0f));
    String hi = b.initializer("hi", Tensor.scalar(6f));
    String e = b.node("Conv", "/expand/Conv", List.of(x, b.initializer("we", GradCheck.randn(31, 0, 30, 5, 1, 1)),
        b.initializer("be", GradCheck.randn(32, 0, 30))), Map.of());
    String e6 = b.node("Clip", "/expand/Clip", List.of(e, lo, hi), Map.of());
    String d = b.node("Conv", "/dw/Conv", List.of(e6, b.initializer("wd", GradCheck.randn(33, 0, 30, 1, 3, 3))),
        Map.of("group", 30L, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}));
    String d6 = b.node("Clip", "/dw/Clip", List.of(d, lo, hi), Map.of());
    String p = b.node("Conv", "/project/Conv", List.of(d6, b.initializer("wp", GradCheck.randn(34, 0, 9, 30, 1, 1))),
        Map.of());
    String c1 = b.node("Conv", "/c1/Conv", List.of(p, b.initializer("w1", GradCheck.randn(35, 0, 9, 9, 3, 3))),
        Map.of("pads", new long[] {1, 1, 1, 1}));
    String r1 = b.node("Relu", "/c1/Relu", List.of(c1), Map.of());
    String c2 = b.node("Conv", "/c2/Conv", List.of(r1, b.initializer("w2", GradCheck.randn(36, 0, 9, 9, 3, 3))),
        Map.of("pads", new long[] {1, 1, 1, 1}));
    String sum = b.node("Add", "/add/Add", List.of(c2, p), Map.of());
    String r2 = b.node("Relu", "/add/Relu", List.of(sum), Map.of());
    b.output(b.node("Conv", "/out/Conv", List.of(r2, b.initializer("wo", GradCheck.randn(37, 0, 4, 9, 3, 3))),
        Map.of("strides", new long[] {2, 2})));
    return new Network(b.build(StandardOps.registry()));
  }

  @Test
  void heldChainsGiveTheArrayGradients() {
    Network net = network();
    Tensor x = GradCheck.randn(38, 0, 2, 5, 17, 13);
    Trace trace = net.forward(Map.of("x", x), ForwardOptions.forBackward());
    Tensor seed = GradCheck.randn(39, 0, trace.get(net.outputName()).shape());
    Map<String, Tensor> seeds = Map.of(net.outputName(), seed);
    List<String> wrt = List.of("x", "/c1/Relu_output_0");
    Map<String, Tensor> expected = net.backward(trace, seeds, wrt, ALL_AS_ARRAYS);
    Map<String, Tensor> held = net.backward(trace, seeds, wrt, BackwardRules.DEFAULT);
    for (String t : wrt) Fixtures.assertClose(expected.get(t), held.get(t), 1e-5, "gradient of " + t);
    // Guided backpropagation replaces Relu's rule: the convolutions before them then pass arrays.
    BackwardRules guided = BackwardRules.DEFAULT.with("Relu", Relu.GUIDED);
    Fixtures.assertClose(net.backward(trace, seeds, wrt, ALL_AS_ARRAYS.with("Relu", Relu.GUIDED)).get("x"),
        net.backward(trace, seeds, wrt, guided).get("x"), 1e-5, "guided");
  }

  @Test
  void edgeValuesPassAsTheJavaOpsPassThem() {
    float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, 0.5f, -0.5f, 2f, 1e-30f,
        -1e-30f, Float.MIN_VALUE, 7f, -7f, 1.0000001f};
    Tensor input = Tensor.zeros(1, 8, 2, 4);
    for (int i = 0; i < input.size(); i++) input.data()[i] = v[i % v.length];
    for (String clamp : List.of("Relu", "Clip")) {
      // Depthwise 1x1 convolutions that copy their input (no sums across channels, where 0 * infinity would
      // be NaN), so that the clamp sees the values above and its gradient reaches x as it is.
      GraphBuilder b = new GraphBuilder("edges", 13);
      String x = b.input("x", 1, 8, 2, 4);
      String w = b.initializer("w", Tensor.full(1f, 8, 1, 1, 1));
      Map<String, Object> depthwise = Map.of("group", 8L);
      String c1 = b.node("Conv", "/c1/Conv", List.of(x, w), depthwise);
      List<String> inputs = clamp.equals("Relu") ? List.of(c1)
          : List.of(c1, b.initializer("lo", Tensor.scalar(-1f)), b.initializer("hi", Tensor.scalar(1f)));
      String clamped = b.node(clamp, "/a/" + clamp, inputs, Map.of());
      b.output(b.node("Conv", "/c2/Conv", List.of(clamped, w), depthwise));
      Network net = new Network(b.build(StandardOps.registry()));
      Trace trace = net.forward(Map.of("x", input), ForwardOptions.forBackward());
      Map<String, Tensor> seeds = Map.of(net.outputName(), GradCheck.randn(40, 0, 1, 8, 2, 4));
      float[] expected = net.backward(trace, seeds, List.of("x"), ALL_AS_ARRAYS).get("x").data();
      float[] held = net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT).get("x").data();
      for (int i = 0; i < expected.length; i++) {
        assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(held[i]),
            clamp + " element " + i + " (x = " + input.data()[i] + ")");
      }
    }
  }

  /**
   * A max pooling between held convolutions sends the gradient through oneDNN's mask, made again from x, to the
   * first maximum of each window, as the Java pass does: on inputs full of ties (small integers, which a 1x1
   * identity convolution passes on exactly, and a Relu's zeros), with a ResNet's 3x3 windows, stride 2 and
   * padding, and with 2x2 windows that leave the last row and column out (oneDNN cannot pool those: Java).
   */
  @Test
  void maxPoolingSendsTheGradientToTheFirstMaximum() {
    Tensor identity = Tensor.zeros(8, 8, 1, 1);
    for (int c = 0; c < 8; c++) identity.data()[c * 8 + c] = 1f;
    Random random = new Random(44);
    Tensor input = Tensor.zeros(2, 8, 15, 13);
    for (int i = 0; i < input.size(); i++) input.data()[i] = random.nextInt(5) - 2;
    for (Map<String, Object> windows : List.<Map<String, Object>>of(
        Map.of("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}),
        Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}))) {
      GraphBuilder b = new GraphBuilder("pooling", 13);
      String x = b.input("x", -1, 8, 15, 13);
      String relu = b.node("Relu", "/c1/Relu", List.of(b.node("Conv", "/c1/Conv",
          List.of(x, b.initializer("identity", identity)), Map.of())), Map.of());
      String pool = b.node("MaxPool", "/pool/MaxPool", List.of(relu), windows);
      b.output(b.node("Conv", "/c2/Conv", List.of(pool, b.initializer("w", GradCheck.randn(45, 0, 8, 8, 3, 3))),
          Map.of("pads", new long[] {1, 1, 1, 1})));
      Network net = new Network(b.build(StandardOps.registry()));
      try (Trace trace = net.forward(Map.of("x", input), ForwardOptions.forBackward())) {
        Map<String, Tensor> seeds = Map.of(net.outputName(), GradCheck.randn(46, 0, trace.get(net.outputName()).shape()));
        Fixtures.assertClose(net.backward(trace, seeds, List.of("x"), ALL_AS_ARRAYS).get("x"),
            net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT).get("x"), 1e-6, "windows " + windows);
      }
    }
  }

  @Test
  void aFailedBackwardPassFreesWhatItHeld() {
    // An op between the convolution that leaves Relu's gradient held and the Relu that reads it: its rule fails.
    GraphBuilder b = new GraphBuilder("failing", 13);
    String x = b.input("x", 1, 5, 9, 7);
    String w = b.initializer("w", GradCheck.randn(41, 0, 5, 5, 3, 3));
    String c1 = b.node("Conv", "/c1/Conv", List.of(x, w), Map.of("pads", new long[] {1, 1, 1, 1}));
    String relu = b.node("Relu", "/relu/Relu", List.of(c1), Map.of());
    String side = b.node("Neg", "/side/Neg", List.of(x), Map.of());
    String c2 = b.node("Conv", "/c2/Conv", List.of(relu, w), Map.of("pads", new long[] {1, 1, 1, 1}));
    b.output(b.node("Add", "/add/Add", List.of(c2, side), Map.of()));
    Network net = new Network(b.build(StandardOps.registry()));
    Tensor input = GradCheck.randn(42, 0, 1, 5, 9, 7);
    Trace trace = net.forward(Map.of("x", input), ForwardOptions.forBackward());
    Map<String, Tensor> seeds = Map.of(net.outputName(), GradCheck.randn(43, 0, 1, 5, 9, 7));
    net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT); // primitives and pooled buffers exist now
    long before = NativeMemory.settledLiveBytes();
    BackwardRules failing = BackwardRules.DEFAULT.with("Neg", (context, op, inputs, outputs, grads, needed) -> {
      throw new IllegalStateException("tripwire");
    });
    for (int i = 0; i < 3; i++) {
      assertThrows(RuntimeException.class, () -> net.backward(trace, seeds, List.of("x"), failing));
    }
    assertEquals(before, NativeBuffer.liveBytes(), "native bytes left allocated by the failed passes");
  }
}
