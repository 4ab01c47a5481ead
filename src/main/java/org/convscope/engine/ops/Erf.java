package org.convscope.engine.ops;

import java.util.function.Function;
import org.convscope.engine.CompositeAnchor;
import org.convscope.engine.Graph;
import org.convscope.engine.Node;
import org.convscope.tensor.Tensor;

/**
 * The Gauss error function, erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt, which PyTorch's
 * exporter uses to write exact GELU before opset 20.
 *
 * <p>The op computes in float, within 1.5 ulp and 1e-7 of the true value (TranscendentalAccuracyTest), in two
 * pieces that each end in a small correction to an exact value, so that float rounding stays near half an ulp:
 * <ul>
 *   <li>|x| &lt; 0.84: x + x R1(x^2), R1 a polynomial of degree 6 for erf(x)/x - 1 (error 1.2e-10);
 *   <li>above: 1 - exp(-x^2) R2(x), R2 a rational function of degree 3 over 4 for erfc(x) exp(x^2) (relative
 *       error 1e-9), with x^2 split into two floats and exp from {@link FastExp}.
 * </ul>
 * The coefficients were fitted here by iteratively reweighted least squares. Both pieces are computed for
 * every element and one is kept without a branch, which lets the JIT vectorize the loops. Beyond 3.92, where
 * erf rounds to +-1 in float, x is clamped: 1 + erf(x) in GELU falls to 0 rather than below.
 *
 * <p>{@link #erf(double)} and {@link #erfc(double)} compute in double to about 1e-15, as references in tests.
 */
public final class Erf extends ElementwiseActivation implements CompositeAnchor {
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
  /** Where the series gives way to the continued fraction: both are accurate here and cheap enough. */
  private static final double SERIES_LIMIT = 3;
  /** Where the float op changes pieces. */
  static final float SPLIT = 0.84f;
  /** Where erf(x) rounds to 1 in float. */
  static final float CLAMP = 3.92f;
  /** R2's argument is (|x| - SPLIT) times this, which maps [SPLIT, CLAMP] to [0, 1]. */
  private static final float TO_UNIT = 1 / (CLAMP - SPLIT);
  /** SPLIT times this is exactly 1 in float (1 / SPLIT as rounded is not quite). */
  private static final float TO_SIGN = Math.nextUp(1 / SPLIT);

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    float[] xs = new float[FastExp.BLOCK];
    float[] a = new float[FastExp.BLOCK];
    float[] v = new float[FastExp.BLOCK];
    float[] e = new float[FastExp.BLOCK];
    for (int start = from; start < to; start += FastExp.BLOCK) {
      int n = Math.min(FastExp.BLOCK, to - start);
      System.arraycopy(x, start, xs, 0, n);
      // Short loops that each store one array: the JIT vectorizes neither longer ones nor ones that store twice.
      for (int j = 0; j < n; j++) a[j] = large(xs[j]);
      for (int j = 0; j < n; j++) v[j] = -(a[j] * a[j]);
      FastExp.expInRange(v, e, n);
      for (int j = 0; j < n; j++) e[j] = 1 - e[j] * tailFactor(a[j]) * (1 - squareError(a[j]));
      for (int j = 0; j < n; j++) {
        float t = xs[j];
        float xa = Math.min(Math.max(t, -SPLIT), SPLIT);
        float s = xa * xa;
        float r1 = 8.920863e-5f;
        r1 = Math.fma(r1, s, -8.2613444e-4f);
        r1 = Math.fma(r1, s, 5.2105833e-3f);
        r1 = Math.fma(r1, s, -2.6862926e-2f);
        r1 = Math.fma(r1, s, 0.11283754f);
        r1 = Math.fma(r1, s, -0.37612637f);
        r1 = Math.fma(r1, s, 0.12837917f);
        float small = Math.fma(xa, r1, xa);
        // Weights exactly 0 or 1 (|x| - |xa| is 0 or at least an ulp of SPLIT), and x's sign where e is kept
        // (xa is then +-SPLIT): one min or none instead of a two-sided clamp, which costs twice as much.
        float b = Math.min((Math.abs(t) - Math.abs(xa)) * 0x1p30f, 1f);
        float sign = xa * TO_SIGN;
        v[j] = (1 - b) * small + b * sign * e[j];
      }
      System.arraycopy(v, 0, y, start, n);
    }
  }

  /** R2(a) = erfc(a) exp(a^2) for a in [SPLIT, CLAMP], to a relative 1e-9. */
  static float tailFactor(float a) {
    float z = (a - SPLIT) * TO_UNIT;
    float p = 0.65436167f;
    p = Math.fma(p, z, 1.5200741f);
    p = Math.fma(p, z, 1.3506124f);
    p = Math.fma(p, z, 0.47560042f);
    float q = 3.5728441f;
    q = Math.fma(q, z, 9.2689954f);
    q = Math.fma(q, z, 9.8353246f);
    q = Math.fma(q, z, 4.9728158f);
    q = Math.fma(q, z, 1f);
    return p / q;
  }

  /**
   * a^2 - float(a^2), exactly (Dekker's product: a split into two halves of 12 bits, whose products are exact),
   * so that exp(-a^2) = exp(-float(a^2)) (1 - error) to float precision. Math.fma(a, a, -a * a) gives the same
   * but kept the JIT from vectorizing the loop, which then ran 4 times slower.
   */
  static float squareError(float a) {
    float c = 4097 * a;
    float high = c - (c - a);
    float low = a - high;
    return ((high * high - a * a) + 2 * high * low) + low * low;
  }

  /** |x| in the range of the large piece. */
  private static float large(float x) {
    return Math.min(Math.max(Math.abs(x), SPLIT), CLAMP);
  }

  /** dy * 2/sqrt(pi) * exp(-x^2), the exponential from {@link FastExp} (0 for |x| above 9.3). */
  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    float[] a = new float[FastExp.BLOCK];
    float[] e = new float[FastExp.BLOCK];
    for (int start = from; start < to; start += FastExp.BLOCK) {
      int n = Math.min(FastExp.BLOCK, to - start);
      System.arraycopy(x, start, a, 0, n);
      for (int j = 0; j < n; j++) a[j] = -a[j] * a[j];
      FastExp.exp(a, e, n);
      System.arraycopy(dy, start, a, 0, n);
      for (int j = 0; j < n; j++) a[j] = a[j] * (float) TWO_OVER_SQRT_PI * e[j];
      System.arraycopy(a, 0, dx, start, n);
    }
  }

  static double erf(double x) {
    if (Math.abs(x) < SERIES_LIMIT) return series(x);
    return Math.signum(x) * (1 - continuedFraction(Math.abs(x)));
  }

  /**
   * 1 - erf(x) to a relative 1e-10 also where it is tiny (large x), as the tests of GELU's negative tail need;
   * the worst case is just below 3, where the series' 1 - erf cancels most.
   */
  static double erfc(double x) {
    if (x >= SERIES_LIMIT) return continuedFraction(x);
    if (x <= -SERIES_LIMIT) return 2 - continuedFraction(-x);
    return 1 - series(x);
  }

  /**
   * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum over n of 2^n x^(2n+1) / (1*3*...*(2n+1)). Every term has the sign of
   * x, so nothing cancels; for |x| &lt; 3 the terms fall below double precision within about 70 steps.
   */
  private static double series(double x) {
    double term = x;
    double sum = x;
    double twoXSquared = 2 * x * x;
    for (int n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= twoXSquared / (2 * n + 1);
      sum += term;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
  }

  /**
   * erfc(x) for x &ge; 3 from Laplace's continued fraction, exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
   * evaluated from a fixed depth inwards; at x = 3 a depth of 60 is already exact in double.
   */
  private static double continuedFraction(double x) {
    double f = x;
    for (int k = 60; k >= 1; k--) f = x + (k / 2.0) / f;
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  }

  /** The GELU this Erf is part of, if it is: see {@link ExportedPatterns#gelu}. */
  @Override
  public Composite composite(Graph graph, Node node, Function<String, Tensor> constants) {
    return ExportedPatterns.gelu(graph, node, constants);
  }
}
