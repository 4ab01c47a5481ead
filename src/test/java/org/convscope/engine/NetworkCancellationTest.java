package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.convscope.engine.ops.StandardOps;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An interrupted thread's forward and backward passes stop with {@link Cancelled}, its interrupt flag kept. */
class NetworkCancellationTest {
  private static final Tensor X = Tensor.of(new float[] {-1, 2, -3, 4}, 1, 4);

  private static Network chain() {
    GraphBuilder b = new GraphBuilder("chain", 13);
    String x = b.input("x", -1, 4);
    String y = b.node("Relu", "/y/Relu", List.of(x), Map.of());
    b.output(b.node("Relu", "/z/Relu", List.of(y), Map.of()));
    return new Network(b.build(StandardOps.registry()));
  }

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  @Test
  void anInterruptedThreadStopsBetweenNodesAndStaysInterrupted() {
    Network net = chain();
    Trace trace = net.forward(Map.of("x", X), ForwardOptions.forBackward());
    Map<String, Tensor> seeds = Map.of("/z/Relu_output_0", Tensor.of(new float[] {1, 1, 1, 1}, 1, 4));

    Thread.currentThread().interrupt();
    assertThrows(Cancelled.class, () -> net.forward(Map.of("x", X), ForwardOptions.forBackward()));
    assertTrue(Thread.currentThread().isInterrupted(), "the flag is left for the caller to see");
    Cancelled c = assertThrows(Cancelled.class, () -> net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT));
    assertTrue(c instanceof java.util.concurrent.CancellationException);

    // Cleared, the same network runs whole again.
    Thread.interrupted();
    assertArrayEquals(new float[] {0, 1, 0, 1}, net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT).get("x").data());
  }
}
