package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.dnnl.NativeBuffer;
import org.convscope.engine.dnnl.NativeMemory;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A recorded run that fuses leaves the activations between convolutions held in its trace: the trace gives them
 * as tensors when asked, before and after {@link Trace#close}, the backward pass reads them held, and closing
 * (or a failed run) frees their native memory.
 */
class HeldTraceTest {

  private static final String RELU1 = "/c1/Relu_output_0";

  /** x -> conv -> Relu -> conv -> Relu -> conv -> tripwire. */
  private static Network network() {
    GraphBuilder b = new GraphBuilder("held-trace", 13);
    String x = b.input("x", -1, 6, 11, 9);
    String w = b.initializer("w", GradCheck.randn(51, 0, 6, 6, 3, 3));
    Map<String, Object> same = Map.of("pads", new long[] {1, 1, 1, 1});
    String r1 = b.node("Relu", "/c1/Relu", List.of(b.node("Conv", "/c1/Conv", List.of(x, w), same)), Map.of());
    String r2 = b.node("Relu", "/c2/Relu", List.of(b.node("Conv", "/c2/Conv", List.of(r1, w), same)), Map.of());
    String c3 = b.node("Conv", "/c3/Conv", List.of(r2, w), same);
    b.output(b.node("Tripwire", "/trip/Tripwire", List.of(c3), Map.of()));
    OpRegistry registry = Tripwire.registry();
    return new Network(b.build(registry));
  }

  private final Network net = network();
  private final Tensor x = GradCheck.randn(52, 0, 2, 6, 11, 9);

  @Test
  void tensorsComeOutTheSameHeldOrComputedAgain() {
    Trace reference = net.forward(Map.of("x", x), ForwardOptions.keeping(RELU1, "/c2/Relu_output_0"));
    Trace trace = net.forward(Map.of("x", x), ForwardOptions.forBackward());
    assertNotNull(trace.held(RELU1), "the Relu's output stays held");
    Tensor seed = GradCheck.randn(53, 0, trace.get(net.outputName()).shape());
    Map<String, Tensor> seeds = Map.of(net.outputName(), seed);
    Tensor heldGradient = net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT).get("x");
    assertNotNull(trace.held(RELU1), "a backward pass leaves the trace as it was");
    trace.close();
    assertNull(trace.held(RELU1), "closed");
    // Not read as a tensor before closing: computed again from the graph input.
    assertArrayEquals(reference.get("/c2/Relu_output_0").data(), trace.get("/c2/Relu_output_0").data());
    Fixtures.assertClose(heldGradient, net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT).get("x"),
        1e-5, "gradient after closing");

    try (Trace open = net.forward(Map.of("x", x), ForwardOptions.forBackward())) {
      assertArrayEquals(reference.get(RELU1).data(), open.get(RELU1).data(), "made from the held tensor");
    }
  }

  @Test
  void closingOrFailingFreesTheHeldTensors() {
    passAndClose(); // primitives and pooled buffers exist after this
    long before = NativeMemory.settledLiveBytes();
    for (int i = 0; i < 3; i++) passAndClose();
    assertEquals(before, NativeBuffer.liveBytes(), "native bytes left by closed traces");
    Tripwire.failing = true;
    try {
      for (int i = 0; i < 3; i++) {
        assertThrows(RuntimeException.class, () -> net.forward(Map.of("x", x), ForwardOptions.forBackward()));
      }
    } finally {
      Tripwire.failing = false;
    }
    assertEquals(before, NativeBuffer.liveBytes(), "native bytes left by failed runs");
  }

  private void passAndClose() {
    try (Trace trace = net.forward(Map.of("x", x), ForwardOptions.forBackward())) {
      net.backward(trace, Map.of(net.outputName(), Tensor.full(1f, 2, 6, 11, 9)), List.of("x"), BackwardRules.DEFAULT);
    }
  }
}
