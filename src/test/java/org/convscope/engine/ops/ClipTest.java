package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ClipTest {
  private static final Tensor X = tensor(new int[] {5}, -3, -1, 0.5f, 2, 7);

  @Test
  void boundsAsAttributesBeforeOpset11() {
    Op op = create("Clip", 6, 1, Map.of("min", -1.5f, "max", 6f));
    assertArrayEquals(new float[] {-1.5f, -1, 0.5f, 2, 6}, run(op, X).data());
    Op defaults = create("Clip", 6, 1, Map.of());
    assertArrayEquals(X.data(), run(defaults, X).data());
    assertThrows(InvalidModelException.class, () -> create("Clip", 6, 3, Map.of()));
  }

  @Test
  void boundsAsOptionalInputsFromOpset11() {
    Op op = create("Clip", 13, 3, Map.of());
    assertArrayEquals(new float[] {0, 0, 0.5f, 2, 6}, run(op, X, Tensor.scalar(0), Tensor.scalar(6)).data());
    assertArrayEquals(new float[] {0, 0, 0.5f, 2, 7}, run(op, X, Tensor.scalar(0)).data(), "max absent");
    assertArrayEquals(new float[] {-3, -1, 0.5f, 1, 1}, run(op, X, null, Tensor.scalar(1)).data(), "min absent");
    assertArrayEquals(new float[] {2, 2, 2, 2, 2}, run(op, X, Tensor.scalar(3), Tensor.scalar(2)).data(), "min > max gives max");
    assertThrows(InvalidModelException.class, () -> create("Clip", 11, 1, Map.of("min", 0f)));
  }

  @Test
  void int64() {
    Op op = create("Clip", 13, 3, Map.of());
    Tensor y = run(op, Tensor.vector(-5, 3, 9), Tensor.ofLongs(new long[] {0}, new int[0]), Tensor.ofLongs(new long[] {4}, new int[0]));
    assertArrayEquals(new long[] {0, 3, 4}, y.longs());
  }

  /** The branch-free mask of the backward pass decides as the comparisons do, at every special value. */
  @Test
  void insideMaskAgreesWithComparisons() {
    float[] values = {Float.NaN, Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -6, -1, -Float.MIN_NORMAL,
        -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, Float.MIN_NORMAL, 1, 1.0000001f, 6, Float.MAX_VALUE,
        Float.POSITIVE_INFINITY};
    for (float x : values) {
      for (float lo : values) {
        for (float hi : values) {
          int expected = x > lo && x < hi ? -1 : 0;
          assertEquals(expected, Clip.inside(x, lo, hi), "x " + x + " in (" + lo + ", " + hi + ")");
        }
      }
    }
  }

  @Test
  void gradientFlowsOnlyInsideTheBounds() {
    Op op = create("Clip", 13, 3, Map.of());
    Tensor g = tensor(new int[] {5}, 1, 2, 3, 4, 5);
    ExecutionContext ctx = ExecutionContext.inference();
    Tensor[] in = {X, Tensor.scalar(-2), Tensor.scalar(6)};
    Tensor[] grads = op.backward(ctx, in, op.forward(ctx, in), new Tensor[] {g}, new boolean[] {true, true, true});
    assertArrayEquals(new float[] {0, 2, 3, 4, 0}, grads[0].data());
    assertArrayEquals(new float[] {1}, grads[1].data());
    assertArrayEquals(new float[] {5}, grads[2].data());
    Tensor[] onlyX = op.backward(ctx, in, op.forward(ctx, in), new Tensor[] {g}, new boolean[] {true, false, false});
    assertNull(onlyX[1]);
    assertNull(onlyX[2]);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Tensor x = GradCheck.randn(3, 0, 4, 5, 3);
    // Keep x clear of the bounds so finite differences do not straddle a kink.
    for (int i = 0; i < x.size(); i++) {
      float v = x.data()[i];
      if (Math.abs(v + 0.5f) < 0.05f || Math.abs(v - 0.7f) < 0.05f) x.data()[i] = v + 0.2f;
    }
    GradCheck.check(create("Clip", 13, 3, Map.of()), x, Tensor.scalar(-0.5f), Tensor.scalar(0.7f));
    GradCheck.check(create("Clip", 13, 2, Map.of()), x, Tensor.scalar(-0.5f));
    GradCheck.check(create("Clip", 6, 1, Map.of("min", -0.5f, "max", 0.7f)), x);
  }
}
