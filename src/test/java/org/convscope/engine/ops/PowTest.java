package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.assertShape;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.convscope.engine.ops.PointwiseFixtures.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PowTest {
  private final Op pow = create("Pow", 2);

  @Test
  void broadcastsLikeTheOtherArithmetic() {
    Tensor base = tensor(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Tensor y = run(pow, base, tensor(new int[] {3}, 2, 0.5f, -1));
    assertShape(new int[] {2, 3}, y);
    assertClose(new float[] {1, (float) Math.sqrt(2), 1 / 3f, 16, (float) Math.sqrt(5), 1 / 6f}, y, 1e-6);
    assertClose(new float[] {1, 4, 9, 16, 25, 36}, run(pow, base, Tensor.scalar(2)), 0);
  }

  @Test
  void resultTakesTheBaseType() {
    Tensor ints = Tensor.ofLongs(new long[] {1, 2, 3}, 3);
    assertLongs(new int[] {3}, new long[] {1, 32, 729}, run(pow, ints, Tensor.ofLongs(new long[] {4, 5, 6}, 3)));
    assertLongs(new int[] {3}, new long[] {1, 2, 5}, run(pow, ints, Tensor.scalar(1.5f)));
    assertClose(new float[] {1, 8, 27}, run(pow, tensor(new int[] {3}, 1, 2, 3), Tensor.vector(3)), 0);
  }

  @Test
  void gradientsOfBaseAndExponent() {
    Tensor base = uniform(1, 0.3f, 2.5f, 3, 1, 5);
    Tensor exponent = uniform(2, -2, 3, 4, 1);
    GradCheck.check(pow, base, exponent);
    GradCheck.check(pow, base, Tensor.scalar(2));
    // Negative bases with integer exponents: only the base has a gradient (ln of a negative number is NaN).
    Tensor negative = uniform(3, -2, -0.5f, 7);
    GradCheck.check(pow, ExecutionContext.inference(), new Tensor[] {negative, Tensor.scalar(3)}, new boolean[] {true, false},
        1e-2, 2e-2);
  }

  @Test
  void exponentGradientIsZeroWhereTheResultIs() {
    Tensor[] g = PointwiseFixtures.backward(pow, new Tensor[] {tensor(new int[] {2}, 0, 2), Tensor.scalar(2)},
        tensor(new int[] {2}, 1, 1), true, true);
    assertArrayEquals(new float[] {0, 4}, g[0].data(), 1e-6f);
    assertArrayEquals(new float[] {(float) (4 * Math.log(2))}, g[1].data(), 1e-6f);
  }

  @Test
  void intExponentGetsNoGradient() {
    Tensor[] g = PointwiseFixtures.backward(pow, new Tensor[] {tensor(new int[] {2}, 1, 2), Tensor.vector(2)},
        tensor(new int[] {2}, 1, 1), true, false);
    assertArrayEquals(new float[] {2, 4}, g[0].data());
    assertNull(g[1]);
  }
}
