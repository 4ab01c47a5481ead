package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.Cancelled;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.FusingOp;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.Network;
import org.convscope.engine.Op;
import org.convscope.engine.OpRegistry;
import org.convscope.engine.Trace;
import org.convscope.onnx.OnnxImporter;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Residual connections in runs that record nothing: a convolution adds the Add's other operand to its output
 * as it writes it (oneDNN's sum post-op), then applies a following Relu, and tensors with several readers stay
 * held until the last has run.
 *
 * <p>Tolerance: the sum post-op adds two float32 values as the Add op does, but oneDNN adds them to the
 * convolution's accumulator inside its kernel, where it may fuse or reorder the last additions; so fused
 * values are held to |a - b| &le; 1e-5 * max|b| (a few units in the last place of the largest value), and
 * tensors no post-op touched to exact equality.
 */
class FusedResidualTest {
  private static final int C = 8;
  private final Tensor x = GradCheck.randn(11, 0, 2, C, 9, 7);
  private final Map<String, Tensor> feeds = Map.of("x", x);
  private final CountingConv.Counts counts = new CountingConv.Counts();
  private final Network net = network(CountingConv.registry(counts));

  private static Tensor weights(long seed, int k) {
    Tensor w = GradCheck.randn(seed, 0, C, C, k, k);
    float[] d = w.data();
    for (int i = 0; i < d.length; i++) d[i] *= 0.3f; // keeps activations near 1 through the chain
    return w;
  }

  /**
   * conv -> Relu (r0) -> conv -> Relu -> conv -> Add(conv, r0) -> Relu (r2) -> 1x1 conv -> Add(r2, conv) (a2)
   * -> conv -> Add(conv, r2) (a3, also read by a Sigmoid) -> conv -> Add(conv, per-channel bias), which
   * broadcasts -> times the Sigmoid. r2 is added twice, so the first Add must not write over it.
   */
  private Network network(OpRegistry registry) {
    GraphBuilder b = new GraphBuilder("residual", 13);
    String in = b.input("x", -1, C, 9, 7);
    Map<String, Object> pad1 = Map.of("pads", new long[] {1, 1, 1, 1});
    String c0 = b.node("Conv", "/c0/Conv", List.of(in, b.initializer("w0", weights(1, 3)),
        b.initializer("b0", GradCheck.randn(2, 0, C))), pad1);
    String r0 = b.node("Relu", "/r0/Relu", List.of(c0), Map.of());
    String c1 = b.node("Conv", "/c1/Conv", List.of(r0, b.initializer("w1", weights(3, 3))), pad1);
    String r1 = b.node("Relu", "/r1/Relu", List.of(c1), Map.of());
    String c2 = b.node("Conv", "/c2/Conv", List.of(r1, b.initializer("w2", weights(4, 3)),
        b.initializer("b2", GradCheck.randn(5, 0, C))), pad1);
    String a1 = b.node("Add", "/a1/Add", List.of(c2, r0), Map.of());
    String r2 = b.node("Relu", "/r2/Relu", List.of(a1), Map.of());
    String c3 = b.node("Conv", "/c3/Conv", List.of(r2, b.initializer("w3", weights(6, 1))), Map.of());
    String a2 = b.node("Add", "/a2/Add", List.of(r2, c3), Map.of());
    String c4 = b.node("Conv", "/c4/Conv", List.of(a2, b.initializer("w4", weights(7, 3))), pad1);
    String a3 = b.node("Add", "/a3/Add", List.of(c4, r2), Map.of());
    String s = b.node("Sigmoid", "/s/Sigmoid", List.of(a3), Map.of());
    String c5 = b.node("Conv", "/c5/Conv", List.of(a3, b.initializer("w5", weights(8, 3))), pad1);
    String a4 = b.node("Add", "/a4/Add", List.of(c5, b.initializer("bias", GradCheck.randn(9, 0, 1, C, 1, 1))),
        Map.of());
    String out = b.node("Mul", "/out/Mul", List.of(a4, s), Map.of());
    b.output(out);
    return new Network(b.build(registry));
  }

  /** A run that keeps every tensor, which fuses nothing; the counts start from zero after it. */
  private Trace recorded() {
    Trace recorded = net.forward(feeds, CountingConv.unfused(net));
    counts.take();
    counts.takeAdds();
    return recorded;
  }

  @Test
  void fusedResidualsGiveTheUnfusedValues() {
    Trace recorded = recorded();
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get("/out/Mul_output_0");
    assertClose(recorded.get("/out/Mul_output_0"), fused, "output");
    assertEquals("added 3 (held 3, consumable 2)", counts.takeAdds(),
        "a1, a2 and a3 are added by their convolutions; a2 must not write over r2, which a3 reads after it; "
            + "a4 broadcasts");
    assertEquals("activated 3, held in 5, held out 5", counts.take(),
        "r0, r1 and r2 are clamped (Relu); r0, r1, r2, a2 and a3 stay held (r0, r2 and a3 have two or three readers)");
  }

  @Test
  void keptTensorsInsideAResidualChainAreReturned() {
    Trace recorded = recorded();

    // c2's own output: its Add cannot be fused, so the value is the plain convolution's, exactly.
    Trace keepConv = net.forward(feeds, ForwardOptions.keeping("/c2/Conv_output_0"));
    assertArrayEquals(recorded.get("/c2/Conv_output_0").data(), keepConv.get("/c2/Conv_output_0").data());
    assertClose(recorded.get("/out/Mul_output_0"), keepConv.get("/out/Mul_output_0"), "output keeping c2");
    assertEquals("added 2 (held 0, consumable 0)", counts.takeAdds(),
        "a2 and a3 are still added, from r2, which the Java Add and Relu now compute as an array");

    // The Add's output: still added by the convolution, but the Relu after it runs on its own.
    Trace keepAdd = net.forward(feeds, ForwardOptions.keeping("/a1/Add_output_0", "/r0/Relu_output_0"));
    assertClose(recorded.get("/a1/Add_output_0"), keepAdd.get("/a1/Add_output_0"), "kept a1");
    assertArrayEquals(recorded.get("/r0/Relu_output_0").data(), keepAdd.get("/r0/Relu_output_0").data());
    assertClose(recorded.get("/out/Mul_output_0"), keepAdd.get("/out/Mul_output_0"), "output keeping a1");
    assertEquals("added 3 (held 0, consumable 0)", counts.takeAdds(),
        "kept r0 is added from its array, and r2 is computed by the Java Relu");
  }

  /**
   * A training step adds its residuals as the Java ops do: its gradients of the input and of every weight against
   * those of the step with every tensor kept, which fuses nothing.
   */
  @Test
  void aTrainingStepGivesTheUnfusedGradients() {
    List<String> wrt = new java.util.ArrayList<>(List.of("x"));
    for (int i = 0; i <= 5; i++) wrt.add("w" + i);
    Tensor seed = GradCheck.randn(31, 0, x.shape());
    Map<String, Tensor> expected;
    try (Trace plain = net.forward(feeds, new ForwardOptions(CountingConv.unfused(net).keep(), true, true))) {
      expected = net.backward(plain, Map.of("/out/Mul_output_0", seed), wrt, BackwardRules.DEFAULT);
      plain.context().endStep();
    }
    counts.takeAdds();
    try (Trace fused = net.forward(feeds, ForwardOptions.forTraining(new org.convscope.engine.ArrayPool()))) {
      Map<String, Tensor> got = net.backward(fused, Map.of("/out/Mul_output_0", seed), wrt, BackwardRules.DEFAULT);
      for (String name : wrt) Fixtures.assertClose(expected.get(name), got.get(name), 1e-4, "gradient of " + name);
      fused.context().endStep();
    }
    assertEquals("added 3 (held 3, consumable 0)", counts.takeAdds(),
        "a training step keeps every addend for its backward pass, so each is added from its own memory");
  }

  /**
   * The Sigmoid interrupts the thread while r2 and a3 are held: the run stops with Cancelled at the next node,
   * closing them, and the next run is whole.
   */
  @Test
  void aRunCancelledWhileTensorsAreHeldLeavesTheNetworkUsable() {
    OpRegistry interrupting = new OpRegistry();
    for (String type : StandardOps.registry().opTypes()) {
      interrupting.register(type, spec -> {
        Op op = StandardOps.registry().create(spec);
        if (!type.equals("Sigmoid")) return op;
        return new Op() {
          @Override
          public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
            Thread.currentThread().interrupt();
            return op.forward(context, inputs);
          }

          @Override
          public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs,
              Tensor[] outputGrads, boolean[] needed) {
            return op.backward(context, inputs, outputs, outputGrads, needed);
          }
        };
      });
    }
    Network interrupted = network(interrupting);
    try {
      assertThrows(Cancelled.class, () -> interrupted.forward(feeds, ForwardOptions.inference()));
      assertTrue(Thread.interrupted(), "the flag is left for the caller to see");
    } finally {
      Thread.interrupted();
    }
    assertClose(recorded().get("/out/Mul_output_0"), net.forward(feeds, ForwardOptions.inference())
        .get("/out/Mul_output_0"), "the next run");
  }

  @Test
  void aConvolutionAddsItsAddendBeforeTheClamp() {
    Conv conv = (Conv) SpatialTesting.op("Conv", 13, 3, 1, "pads", new int[] {1, 1, 1, 1});
    Tensor[] inputs = {x, weights(1, 3), GradCheck.randn(2, 0, C)};
    Tensor addend = GradCheck.randn(12, 0, 2, C, 9, 7);
    ExecutionContext c = ExecutionContext.inference();
    float[] plain = conv.forward(c, inputs)[0].data();
    Activation clamp = Activation.clamp(-0.5f, 1f);
    float[] expected = new float[plain.length];
    for (int i = 0; i < plain.length; i++) {
      expected[i] = Math.min(Math.max(plain[i] + addend.data()[i], clamp.alpha()), clamp.beta());
    }
    FusingOp.Addend fromArray = new FusingOp.Addend(addend, null, false);
    assertClose(Tensor.of(expected, addend.shape()),
        conv.forwardFused(c, inputs, null, fromArray, clamp, false).tensor(), "addend from an array");
    // A held addend, read again afterwards (added from its own memory) and then for the last time (written over).
    Conv identity = (Conv) SpatialTesting.op("Conv", 13, 2, 1);
    Tensor eye = Tensor.zeros(C, C, 1, 1);
    for (int i = 0; i < C; i++) eye.data()[i * C + i] = 1;
    try (HeldTensor held = identity.forwardFused(c, new Tensor[] {addend, eye}, null, null, null, true).held()) {
      try (HeldTensor out = conv.forwardFused(c, inputs, null, new FusingOp.Addend(null, held, false), clamp, true)
          .held()) {
        assertClose(Tensor.of(expected, addend.shape()), out.toTensor(), "held addend, read where it is");
      }
      assertArrayEquals(addend.data(), held.toTensor().data(), "an addend that is not consumable is left as it was");
      try (HeldTensor out = conv.forwardFused(c, inputs, null, new FusingOp.Addend(null, held, true), clamp, true)
          .held()) {
        assertClose(Tensor.of(expected, addend.shape()), out.toTensor(), "held addend, written over");
      }
    }
    FusingOp.Addend broadcast = new FusingOp.Addend(GradCheck.randn(13, 0, 1, C, 1, 1), null, false);
    assertNull(conv.forwardFused(c, inputs, null, broadcast, clamp, false), "an Add that broadcasts is not fused");
  }

  /** Whole networks: the fused run against the recorded one, at batch 1 and 2. */
  @ParameterizedTest
  @ValueSource(strings = {"resnet18_bn", "mobilenet_v2"})
  void fixtureNetworksGiveTheRecordedValues(String name) {
    compareFusedWithRecorded(Fixtures.dir(name).resolve("model.onnx"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"resnet50", "regnet_y_400mf", "efficientnet_b0"})
  void torchvisionNetworksGiveTheRecordedValues(String name) {
    Path file = Path.of("/tmp/tv-onnx/opset13", name, "model.onnx");
    assumeTrue(Files.exists(file), "torchvision exports not present");
    compareFusedWithRecorded(file);
  }

  /**
   * Unfused (every tensor kept) against fused, unrecorded and recorded; and the input gradient of the fused
   * recorded run against the unfused one's, in norm (a ReLU mask may differ where rounding decides it).
   */
  private static void compareFusedWithRecorded(Path file) {
    Network net = new Network(OnnxImporter.load(file));
    String name = file.getParent().getFileName().toString();
    for (int batch : new int[] {1, 2}) {
      Map<String, Tensor> feeds = Map.of(net.inputName(), GradCheck.randn(21, 0, batch, 3, 224, 224));
      Trace plain = net.forward(feeds, CountingConv.unfused(net));
      Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(net.outputName());
      assertClose(plain.get(net.outputName()), fused, name + " batch " + batch);
      Trace fusedRecorded = net.forward(feeds, ForwardOptions.forBackward());
      assertClose(plain.get(net.outputName()), fusedRecorded.get(net.outputName()), name + " recorded, batch " + batch);
      if (batch > 1) continue;
      Tensor seed = GradCheck.randn(4, 0, plain.get(net.outputName()).shape());
      Map<String, Tensor> seeds = Map.of(net.outputName(), seed);
      List<String> wrt = List.of(net.inputName());
      Tensor expected = net.backward(plain, seeds, wrt, BackwardRules.DEFAULT).get(net.inputName());
      Tensor got = net.backward(fusedRecorded, seeds, wrt, BackwardRules.DEFAULT).get(net.inputName());
      Fixtures.assertCloseInNorm(expected.data(), got.data(), 1e-2, name + " input gradient");
    }
  }

  private static void assertClose(Tensor expected, Tensor got, String what) {
    Fixtures.assertClose(expected, got, 1e-5, what);
  }

}
