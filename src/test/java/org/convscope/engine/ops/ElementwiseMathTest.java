package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.convscope.engine.ops.PointwiseFixtures.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Exp, Log, Sqrt, Neg, Reciprocal, Abs, Erf and Gelu: values against their formulas, gradients against finite differences. */
class ElementwiseMathTest {

  private static void checkValues(Op op, Tensor x, DoubleUnaryOperator f, double tolerance) {
    float[] v = x.data();
    float[] expected = new float[v.length];
    for (int i = 0; i < v.length; i++) expected[i] = (float) f.applyAsDouble(v[i]);
    Tensor y = run(op, x);
    assertArrayEquals(x.shape(), y.shape());
    assertClose(expected, y, tolerance);
  }

  @Test
  void expAndLog() {
    Tensor x = uniform(1, -4, 4, 3, 5, 7);
    checkValues(create("Exp", 1), x, Math::exp, 1e-5);
    GradCheck.check(create("Exp", 1), x);
    Tensor positive = uniform(2, 0.2f, 5, 3, 5, 7);
    checkValues(create("Log", 1), positive, Math::log, 1e-6);
    GradCheck.check(create("Log", 1), positive);
    Tensor edges = run(create("Log", 1), tensor(new int[] {2}, 0, -1));
    assertEquals(Float.NEGATIVE_INFINITY, edges.data()[0]);
    assertEquals(Float.NaN, edges.data()[1]);
  }

  @Test
  void sqrtAndReciprocal() {
    Tensor positive = uniform(3, 0.2f, 5, 2, 9);
    checkValues(create("Sqrt", 1), positive, Math::sqrt, 1e-6);
    GradCheck.check(create("Sqrt", 1), positive);
    checkValues(create("Reciprocal", 1), positive, v -> 1 / v, 1e-6);
    GradCheck.check(create("Reciprocal", 1), positive);
    assertClose(new float[] {-0.5f, 4}, run(create("Reciprocal", 1), tensor(new int[] {2}, -2, 0.25f)), 0);
  }

  @Test
  void negAndAbs() {
    Tensor x = GradCheck.randn(4, 0.05, 5, 1, 3);
    checkValues(create("Neg", 1), x, v -> -v, 0);
    checkValues(create("Abs", 1), x, Math::abs, 0);
    GradCheck.check(create("Neg", 1), x);
    GradCheck.check(create("Abs", 1), x);
    Tensor[] g = PointwiseFixtures.backward(create("Abs", 1), new Tensor[] {tensor(new int[] {3}, -2, 0, 3)},
        tensor(new int[] {3}, 5, 5, 5), true);
    assertArrayEquals(new float[] {-5, 0, 5}, g[0].data(), "the gradient of |x| is 0 at 0");
  }

  @Test
  void negAndAbsOnInt64() {
    Tensor x = Tensor.ofLongs(new long[] {-3, 0, 5}, 3);
    OpTesting.assertLongs(new int[] {3}, new long[] {3, 0, -5}, run(create("Neg", 1), x));
    OpTesting.assertLongs(new int[] {3}, new long[] {3, 0, 5}, run(create("Abs", 1), x));
  }

  @Test
  void roundingAndSign() {
    Tensor x = tensor(new int[] {8}, -2.5f, -1.5f, -0.4f, 0, 0.5f, 1.5f, 2.5f, 2.7f);
    assertClose(new float[] {-3, -2, -1, 0, 0, 1, 2, 2}, run(create("Floor", 1), x), 0);
    assertClose(new float[] {-2, -1, -0f, 0, 1, 2, 3, 3}, run(create("Ceil", 1), x), 0);
    // Halves go to the even neighbour.
    assertClose(new float[] {-2, -2, -0f, 0, 0, 2, 2, 3}, run(create("Round", 1), x), 0);
    assertClose(new float[] {-1, -1, -1, 0, 1, 1, 1, 1}, run(create("Sign", 1), x), 0);
    for (String type : new String[] {"Floor", "Ceil", "Round", "Sign"}) {
      Tensor[] g = PointwiseFixtures.backward(create(type, 1), new Tensor[] {x}, Tensor.full(1, 8), true);
      assertArrayEquals(new float[8], g[0].data(), type + " is piecewise constant");
    }
  }

  @Test
  void erfMatchesReferenceValues() {
    // Reference values from SciPy's scipy.special.erf and erfc.
    double[][] table = {{0, 0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497148},
        {2, 0.9953222650189527}, {2.9, 0.9999589021219005}, {3.5, 0.9999992569016276}, {6, 1}};
    for (double[] row : table) {
      assertEquals(row[1], Erf.erf(row[0]), 1e-15, "erf(" + row[0] + ")");
      assertEquals(-row[1], Erf.erf(-row[0]), 1e-15, "erf is odd");
    }
    // The complement keeps its relative precision in the tail, where 1 - erf is 0 in double.
    assertEquals(1.5374597944280347e-12, Erf.erfc(5), 1.5e-22);
    assertEquals(2.0884875837625446e-45, Erf.erfc(10), 1e-55);
    assertEquals(1.9999999999984626, Erf.erfc(-5), 1e-15);
    // Just below 3, 1 - erf loses the most: still a relative 1e-10.
    assertEquals(4.109787809945884e-05, Erf.erfc(2.9), 4e-15);
  }

  @Test
  void erfOp() {
    Tensor x = uniform(5, -4, 4, 4, 6, 5);
    checkValues(create("Erf", 1), x, Erf::erf, 1e-7);
    GradCheck.check(create("Erf", 1), x);
  }

  @Test
  void geluExact() {
    Op gelu = create("Gelu", 20, 1, Map.of());
    // x * Phi(x): Phi(1) = 0.8413447460685429, Phi(-3) = 0.0013498980316301.
    Tensor y = run(gelu, tensor(new int[] {4}, 0, 1, -3, -12));
    // Within a few ulp (float erfc; see TranscendentalAccuracyTest), not correctly rounded.
    assertArrayEquals(new float[] {0, 0.84134475f, -0.0040496941f, -12 * 1.7764821e-33f}, y.data(), 2e-7f);
    assertEquals(-12 * 1.7764821e-33f, y.data()[3], 1e-38f, "the far tail keeps its relative precision");
    checkValues(gelu, uniform(6, -6, 6, 5, 11), v -> v * 0.5 * (1 + Erf.erf(v / Math.sqrt(2))), 1e-6);
    GradCheck.check(gelu, uniform(7, -4, 4, 3, 7, 5));
  }

  @Test
  void geluTanhApproximation() {
    Op gelu = create("Gelu", 20, 1, Map.of("approximate", "tanh"));
    DoubleUnaryOperator f = v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
    checkValues(gelu, uniform(8, -6, 6, 5, 11), f, 1e-6);
    // The approximation differs from the exact value by about 1e-4 around 2.
    assertEquals(1.9545977f, run(gelu, tensor(new int[] {1}, 2)).data()[0], 1e-6f);
    assertEquals(1.9544997f, run(create("Gelu", 20, 1, Map.of()), tensor(new int[] {1}, 2)).data()[0], 1e-6f);
    GradCheck.check(gelu, uniform(9, -4, 4, 3, 7, 5));
  }

  @Test
  void geluRejectsUnknownApproximation() {
    assertThrows(InvalidModelException.class, () -> create("Gelu", 20, 1, Map.of("approximate", "sigmoid")));
  }
}
