package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleUnaryOperator;
import org.convscope.engine.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * The float Erf, Sigmoid and Exp ops against the same functions in double, on a dense grid across their whole
 * range (about a million points each) and at their edges: infinities, NaN, signed zeros, the clamps.
 */
class TranscendentalAccuracyTest {

  /** Every float step of 2^-16 on [lo, hi], which includes the pieces' seams and clamps. */
  private static float[] grid(float lo, float hi) {
    int n = (int) ((hi - lo) * 65536) + 1;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = lo + i / 65536f;
    return x;
  }

  private static float[] apply(ElementwiseActivation op, float[] x) {
    float[] y = new float[x.length];
    op.apply(x, y, 0, x.length);
    return y;
  }

  /** Fails at the worst element if any is further from the reference than {@code ulps} of it plus {@code absolute}. */
  private static void assertWithin(float[] x, float[] y, DoubleUnaryOperator reference, double ulps, double absolute) {
    double worst = 0;
    int at = -1;
    for (int i = 0; i < x.length; i++) {
      double expected = reference.applyAsDouble(x[i]);
      double ratio = Math.abs(y[i] - expected) / (ulps * Math.ulp((float) expected) + absolute);
      if (!(ratio <= worst)) {
        worst = ratio;
        at = i;
      }
    }
    if (worst > 1) {
      double expected = reference.applyAsDouble(x[at]);
      fail("at x = " + x[at] + ": " + y[at] + " against " + expected + ", " + Math.abs(y[at] - expected) / Math.ulp((float) expected) + " ulp");
    }
  }

  @Test
  void erfIsWithinAnUlpAndAnAbsolute1eMinus7() {
    float[] x = grid(-8, 8);
    float[] y = apply(new Erf(), x);
    assertWithin(x, y, Erf::erf, 1.5, 0);
    assertWithin(x, y, Erf::erf, 0, 1e-7);
    float[] negated = new float[x.length];
    for (int i = 0; i < x.length; i++) negated[i] = -x[i];
    float[] odd = apply(new Erf(), negated);
    for (int i = 0; i < x.length; i++) {
      // Odd to the bit, and never beyond +-1: 1 + erf(x) in GELU stays at or above 0.
      assertEquals(-y[i], odd[i], 0f);
      assertTrue(Math.abs(y[i]) <= 1, "|erf(" + x[i] + ")| > 1");
    }
  }

  /** Exact GELU, x Phi(x), in double: erfc keeps the negative tail's tiny values. */
  private static double gelu(double x) {
    return x * 0.5 * Erf.erfc(-x / Math.sqrt(2));
  }

  @Test
  void geluIsWithinEightUlp() {
    // Phi from float erfc (Phi or 1 - Phi, whichever is below 1/2): relative accuracy everywhere, the far tail
    // included, down to where Gelu falls below the smallest normal float (x = -13.15).
    float[] x = grid(-12, 8);
    float[] y = apply(new Gelu(false), x);
    assertWithin(x, y, TranscendentalAccuracyTest::gelu, 8, Float.MIN_NORMAL);
    float[] g = new float[x.length];
    float[] ones = new float[x.length];
    java.util.Arrays.fill(ones, 1f);
    new Gelu(false).gradient(x, y, ones, g, 0, x.length);
    // Phi(x) + x phi(x), against the same in double; the sum cancels near x = -0.75, hence the absolute term.
    assertWithin(x, g, v -> 0.5 * Erf.erfc(-v / Math.sqrt(2)) + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI),
        8, 2e-7);
    assertEquals(Float.POSITIVE_INFINITY, apply(new Gelu(false), new float[] {Float.POSITIVE_INFINITY})[0]);
    assertTrue(Float.isNaN(apply(new Gelu(false), new float[] {Float.NaN})[0]));
    float[] edges = {Float.NEGATIVE_INFINITY, -0f, Float.POSITIVE_INFINITY};
    float[] values = apply(new Gelu(false), edges);
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(values[0]), "Gelu(-inf) = -0, not -inf * 0");
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(values[1]), "Gelu(-0) = -0");
    float[] slopes = new float[edges.length];
    new Gelu(false).gradient(edges, values, new float[] {1, 1, 1}, slopes, 0, edges.length);
    assertArrayEquals(new float[] {0, 0.5f, 1}, slopes, 0f);
  }

  @Test
  void erfAtItsEdges() {
    float[] y = apply(new Erf(), new float[] {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        3.92f, 1e30f, -1e30f, 1e-40f, 0.84f, Math.nextDown(0.84f)});
    assertEquals(0f, y[0], 0f);
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(y[1]), "erf(-0) = -0");
    assertEquals(1f, y[2], 0f);
    assertEquals(-1f, y[3], 0f);
    assertTrue(Float.isNaN(y[4]));
    assertEquals(1f, y[5], 0f);
    assertEquals(1f, y[6], 0f);
    assertEquals(-1f, y[7], 0f);
    assertEquals((float) (1e-40 * 2 / Math.sqrt(Math.PI)), y[8], 1e-45f, "denormals keep their slope");
    // Both sides of the seam between the two pieces.
    assertEquals((float) Erf.erf(0.84f), y[9], 6e-8f);
    assertEquals((float) Erf.erf(Math.nextDown(0.84f)), y[10], 6e-8f);
  }

  @Test
  void erfGradientMatchesFiniteDifferences() {
    // Both pieces and the tail where exp(-x^2) flushes to 0.
    GradCheck.check(new Erf(), PointwiseFixtures.uniform(11, -4, 4, 3, 7, 11));
    GradCheck.check(new Erf(), PointwiseFixtures.uniform(12, -12, 12, 40, 1000));
  }

  @Test
  void sigmoidIsWithinThreeUlp() {
    float[] x = grid(-90, 90);
    float[] y = apply(new Sigmoid(), x);
    // Above 2e-38 (x > -87) within 3 ulp; below, 0 where the true value is under 2e-38.
    assertWithin(x, y, v -> 1 / (1 + Math.exp(-v)), 3, 2e-38);
    float[] edges = apply(new Sigmoid(), new float[] {Float.NEGATIVE_INFINITY, -1000, 1000, Float.POSITIVE_INFINITY,
        Float.NaN, 0f, -0f, 1e-40f, -1e-40f});
    assertEquals(0f, edges[0], 0f);
    assertEquals(0f, edges[1], 0f);
    assertEquals(1f, edges[2], 0f);
    assertEquals(1f, edges[3], 0f);
    assertTrue(Float.isNaN(edges[4]));
    for (int i = 5; i < edges.length; i++) assertEquals(0.5f, edges[i], 0f);
  }

  @Test
  void sigmoidGradientMatchesFiniteDifferences() {
    GradCheck.check(new Sigmoid(), PointwiseFixtures.uniform(13, -8, 8, 5, 9, 13));
    // Above the parallel grain, split across cores.
    GradCheck.check(new Sigmoid(), PointwiseFixtures.uniform(14, -8, 8, 3, 61, 67));
  }

  @Test
  void expIsWithinTwoUlp() {
    float[] x = grid(-90, 90);
    float[] y = apply(new Exp(), x);
    for (int i = 0; i < x.length; i++) {
      double expected = Math.exp(x[i]);
      if (expected > Float.MAX_VALUE) {
        assertEquals(Float.POSITIVE_INFINITY, y[i], 0f, "exp(" + x[i] + ")");
      } else if (expected < 2e-38) {
        assertTrue(y[i] <= expected * 1.0001 + 0x1p-126f && y[i] >= 0, "exp(" + x[i] + ") = " + y[i]);
      } else {
        assertEquals(expected, y[i], 2 * Math.ulp((float) expected), "exp(" + x[i] + ")");
      }
    }
    float[] edges = apply(new Exp(), new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0f, -0f});
    assertEquals(0f, edges[0], 0f);
    assertEquals(Float.POSITIVE_INFINITY, edges[1], 0f);
    assertTrue(Float.isNaN(edges[2]));
    assertEquals(1f, edges[3], 0f);
    assertEquals(1f, edges[4], 0f);
  }
}
