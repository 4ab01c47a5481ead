package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The element-wise activations: values against their formulas in double, gradients against finite differences. */
class ActivationsTest {
  /** Points spread over [-6, 6], including the kinks themselves. */
  private static final Tensor GRID = grid();

  private static Tensor grid() {
    float[] x = new float[121];
    for (int i = 0; i < x.length; i++) x[i] = -6 + i * 0.1f;
    return Tensor.of(x, 11, 11);
  }

  private static void checkValues(Op op, DoubleUnaryOperator f) {
    float[] x = GRID.data();
    float[] expected = new float[x.length];
    for (int i = 0; i < x.length; i++) expected[i] = (float) f.applyAsDouble(x[i]);
    Tensor y = run(op, GRID);
    assertArrayEquals(GRID.shape(), y.shape());
    assertClose(expected, y, 1e-6);
  }

  /** Values in [-scale, scale], at least {@code margin} away from every kink, for finite differences. */
  private static Tensor awayFromKinks(long seed, double scale, double[] kinks, int... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      double v;
      boolean near;
      do {
        v = (2 * r.nextDouble() - 1) * scale;
        near = false;
        for (double k : kinks) near |= Math.abs(v - k) < 0.05;
      } while (near);
      d[i] = (float) v;
    }
    return t;
  }

  private static void checkGradient(Op op, double... kinks) {
    GradCheck.check(op, awayFromKinks(11, 5, kinks, 3, 7, 5));
    GradCheck.check(op, awayFromKinks(12, 5, kinks, 1));
  }

  @Test
  void leakyRelu() {
    Op op = create("LeakyRelu", 16, 1, Map.of("alpha", 0.1f));
    checkValues(op, x -> x >= 0 ? x : 0.1 * x);
    checkValues(create("LeakyRelu", 1), x -> x >= 0 ? x : 0.01 * x);
    checkGradient(op, 0);
  }

  @Test
  void elu() {
    Op op = create("Elu", 6, 1, Map.of("alpha", 2f));
    checkValues(op, x -> x >= 0 ? x : 2 * (Math.exp(x) - 1));
    checkValues(create("Elu", 1), x -> x >= 0 ? x : Math.exp(x) - 1);
    checkGradient(op, 0);
  }

  @Test
  void sigmoid() {
    Op op = create("Sigmoid", 1);
    checkValues(op, x -> 1 / (1 + Math.exp(-x)));
    assertArrayEquals(new float[] {0, 0.5f, 1}, run(op, tensor(new int[] {3}, -1000, 0, 1000)).data());
    checkGradient(op);
  }

  @Test
  void tanh() {
    Op op = create("Tanh", 1);
    checkValues(op, Math::tanh);
    checkGradient(op);
  }

  @Test
  void hardSigmoid() {
    Op op = create("HardSigmoid", 6, 1, Map.of("alpha", 0.25f, "beta", 0.4f));
    checkValues(op, x -> Math.max(0, Math.min(1, 0.25 * x + 0.4)));
    checkValues(create("HardSigmoid", 1), x -> Math.max(0, Math.min(1, 0.2 * x + 0.5)));
    checkGradient(op, -1.6, 2.4);
  }

  @Test
  void hardSwish() {
    Op op = create("HardSwish", 1);
    checkValues(op, x -> x * Math.max(0, Math.min(1, x / 6 + 0.5)));
    checkGradient(op, -3, 3);
  }

  @Test
  void softplus() {
    Op op = create("Softplus", 1);
    checkValues(op, x -> Math.log(1 + Math.exp(x)));
    // Where exp(x) overflows float, softplus(x) is x; far below, it is exp(x).
    Tensor y = run(op, tensor(new int[] {2}, 100, -100));
    assertEquals(100f, y.data()[0]);
    assertEquals((float) Math.exp(-100), y.data()[1], 1e-45f);
    checkGradient(op);
  }

  @Test
  void gradientsByHand() {
    Tensor x = tensor(new int[] {2}, -1, 2);
    Tensor g = tensor(new int[] {2}, 10, 10);
    assertArrayEquals(new float[] {0.1f, 10}, PointwiseFixtures.backward(new LeakyRelu(0.01f), new Tensor[] {x}, g, true)[0].data(), 1e-6f);
    float s = (float) (1 / (1 + Math.exp(1)));
    assertArrayEquals(new float[] {10 * s * (1 - s)},
        PointwiseFixtures.backward(new Sigmoid(), new Tensor[] {tensor(new int[] {1}, -1)}, tensor(new int[] {1}, 10), true)[0].data(), 1e-6f);
    // HardSwish: derivative x/3 + 1/2 inside (-3, 3), 0 below, 1 above.
    Tensor h = tensor(new int[] {3}, -4, 1.5f, 4);
    assertArrayEquals(new float[] {0, 10, 10},
        PointwiseFixtures.backward(new HardSwish(), new Tensor[] {h}, tensor(new int[] {3}, 10, 10, 10), true)[0].data(), 1e-6f);
  }
}
