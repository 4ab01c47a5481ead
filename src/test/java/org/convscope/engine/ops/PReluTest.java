package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PReluTest {
  private final Op prelu = create("PRelu", 2);

  @Test
  void perChannelSlopeByHand() {
    // [1, 2, 1, 2] input, slope [2, 1, 1] as PyTorch exports it.
    Tensor x = tensor(new int[] {1, 2, 1, 2}, -1, 2, -3, 4);
    Tensor slope = tensor(new int[] {2, 1, 1}, 0.5f, 0.25f);
    assertArrayEquals(new float[] {-0.5f, 2, -0.75f, 4}, run(prelu, x, slope).data());
    Tensor g = tensor(new int[] {1, 2, 1, 2}, 1, 1, 2, 2);
    Tensor[] grads = PointwiseFixtures.backward(prelu, new Tensor[] {x, slope}, g, true, true);
    assertArrayEquals(new float[] {0.5f, 1, 0.5f, 2}, grads[0].data());
    assertArrayEquals(new float[] {-1, -6}, grads[1].data(), "sum of g * x where x < 0, per channel");
    assertNull(PointwiseFixtures.backward(prelu, new Tensor[] {x, slope}, g, true, false)[1]);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Tensor x = GradCheck.randn(1, 0.05, 2, 3, 4, 5);
    GradCheck.check(prelu, x, GradCheck.randn(2, 0, 3, 1, 1));
    GradCheck.check(prelu, x, GradCheck.randn(3, 0, 5));
    GradCheck.check(prelu, x, GradCheck.randn(4, 0, 1));
    GradCheck.check(prelu, x, GradCheck.randn(5, 0, 2, 3, 4, 5));
  }

  @Test
  void slopeMustBroadcastToTheInput() {
    assertThrows(IllegalArgumentException.class, () -> run(prelu, Tensor.zeros(2, 3), Tensor.zeros(4, 1, 1)));
  }
}
