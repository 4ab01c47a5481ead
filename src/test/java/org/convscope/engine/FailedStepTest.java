package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convscope.engine.dnnl.NativeBuffer;
import org.convscope.engine.dnnl.NativeMemory;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A training step keeps each convolution's input in native memory for its backward pass; a step that fails
 * between the two must free it then, not leave it to the garbage collector.
 */
class FailedStepTest {

  @Test
  void aTrainingForwardThatFailsAfterAConvolutionFreesTheInputItKept() {
    GraphBuilder b = new GraphBuilder("tripwire", 13);
    String x = b.input("x", -1, 3, 9, 9);
    Random random = new Random(3);
    Tensor w = Tensor.zeros(8, 3, 3, 3);
    for (int i = 0; i < w.size(); i++) w.data()[i] = (float) random.nextGaussian();
    String conv = b.node("Conv", "/conv/Conv", List.of(x, b.initializer("w", w)), Map.of());
    b.output(b.node("Tripwire", "/trip/Tripwire", List.of(conv), Map.of()));
    OpRegistry registry = Tripwire.registry();
    Network net = new Network(b.build(registry));
    Tensor input = Tensor.zeros(2, 3, 9, 9);
    for (int i = 0; i < input.size(); i++) input.data()[i] = (float) random.nextGaussian();
    ArrayPool arrays = new ArrayPool();

    // A whole step first, so that the convolution's primitives and scratch memory exist before counting.
    Tripwire.failing = false;
    net.forward(Map.of("x", input), ForwardOptions.forTraining(arrays)).context().endStep();
    long before = NativeMemory.settledLiveBytes();
    Tripwire.failing = true;
    try {
      // Kept inputs come from the thread's pool of native buffers: one that a failed step never gives back
      // shows as a new allocation in the next step.
      for (int i = 0; i < 3; i++) {
        assertThrows(RuntimeException.class, () -> net.forward(Map.of("x", input), ForwardOptions.forTraining(arrays)));
      }
    } finally {
      Tripwire.failing = false;
    }
    assertEquals(before, NativeBuffer.liveBytes(), "native bytes left allocated by the failed step");
  }
}
