package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/**
 * Gaussian error linear unit (opset 20), x * Phi(x) with Phi the standard normal CDF. With
 * {@code approximate="tanh"} Phi(x) is replaced by (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) / 2, as in
 * PyTorch's {@code gelu(approximate='tanh')}.
 *
 * <p>The exact form computes in float, within 4.3 ulp of the double value (TranscendentalAccuracyTest), from
 * erfc alone: Phi(x) = erfc(|x| / sqrt 2) / 2 for x &lt; 0 and 1 minus that above, which keeps the negative
 * tail's tiny values accurate relatively, with erfc(a) = exp(-a^2) / {@link #erfcDenominator}(a). Every
 * element takes the same straight-line path, which the JIT vectorizes. PyTorch 2's exporter writes
 * ConvNeXt's and ViT's GELU as this op, about 8.6 million values per ConvNeXt-T image.
 */
public final class Gelu extends ElementwiseActivation {
  private static final double SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);
  private static final double CUBIC = 0.044715;
  private static final float SQRT_HALF_F = (float) Math.sqrt(0.5);
  private static final float ONE_OVER_SQRT_TWO_PI_F = (float) (1 / Math.sqrt(2 * Math.PI));
  private static final float TWO_SQRT_PI_F = (float) (2 * Math.sqrt(Math.PI));
  /**
   * |x| is clamped here: exp(-x^2 / 2) flushes to 0 from about 13.19 on (where |Gelu(x)| is below 1e-38,
   * under the smallest normal float), and -x^2 / 2 stays within FastExp's range without its clamps.
   */
  private static final float LIMIT = 13.2f;

  private final boolean tanhApproximation;

  public Gelu(boolean tanhApproximation) {
    this.tanhApproximation = tanhApproximation;
  }

  static Gelu create(OpSpec spec) {
    String approximate = spec.attributes().getString("approximate", "none");
    return switch (approximate) {
      case "none" -> new Gelu(false);
      case "tanh" -> new Gelu(true);
      default -> throw spec.invalid("approximate must be 'none' or 'tanh', got '" + approximate + "'");
    };
  }

  /** Whether this is the tanh approximation rather than the exact (erf) form. */
  boolean tanhApproximation() {
    return tanhApproximation;
  }

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    if (tanhApproximation) {
      for (int i = from; i < to; i++) y[i] = (float) (x[i] * cdf(x[i]));
      return;
    }
    Block b = new Block();
    for (int start = from; start < to; start += FastExp.BLOCK) {
      int n = Math.min(FastExp.BLOCK, to - start);
      b.load(x, start, n);
      float[] xs = b.x;
      float[] e = b.density;
      float[] out = b.scratch;
      // x Phi(x) = max(x, 0) - |x| T, rounded once. Past LIMIT, T is 0 (and |x| T would be NaN at infinity);
      // max with -0 keeps Gelu(-0) = -0.
      for (int j = 0; j < n; j++) {
        float a = magnitude(xs[j]);
        out[j] = Math.fma(-a, tail(a, e[j]), Math.max(xs[j], -0f));
      }
      System.arraycopy(out, 0, y, start, n);
    }
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    if (tanhApproximation) {
      for (int i = from; i < to; i++) {
        double v = x[i];
        double t = Math.tanh(SQRT_TWO_OVER_PI * (v + CUBIC * v * v * v));
        double derivative = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_TWO_OVER_PI * (1 + 3 * CUBIC * v * v);
        dx[i] = (float) (dy[i] * derivative);
      }
      return;
    }
    Block b = new Block();
    for (int start = from; start < to; start += FastExp.BLOCK) {
      int n = Math.min(FastExp.BLOCK, to - start);
      b.load(x, start, n);
      float[] xs = b.x;
      float[] e = b.density;
      float[] g = b.scratch;
      System.arraycopy(dy, start, g, 0, n);
      // Phi(x) + x phi(x), phi(x) = E / sqrt(2 pi): u = T - |x| phi(x) for x < 0 and 1 - u above. w is exactly
      // 1 for x < 0 and 0 above (for |x| < 2^-126, u = 1 - u = 1/2 anyway).
      for (int j = 0; j < n; j++) {
        float a = magnitude(xs[j]);
        float u = Math.fma(-a * ONE_OVER_SQRT_TWO_PI_F, e[j], tail(a, e[j]));
        float w = Math.min(Math.max(xs[j] * -0x1p126f, 0f), 1f);
        g[j] = g[j] * (w * u + (1 - w) * (1 - u));
      }
      System.arraycopy(g, 0, dx, start, n);
    }
  }

  /**
   * One block's x and E = exp(-x^2 / 2), in float. Each loop stores into one array and stays short: the JIT
   * vectorizes neither a loop that stores twice nor one whose body is much longer than these.
   */
  private static final class Block {
    final float[] x = new float[FastExp.BLOCK];
    final float[] density = new float[FastExp.BLOCK];
    final float[] scratch = new float[FastExp.BLOCK];

    void load(float[] from, int start, int n) {
      System.arraycopy(from, start, x, 0, n);
      for (int j = 0; j < n; j++) {
        float a = magnitude(x[j]);
        scratch[j] = -0.5f * (a * a);
      }
      FastExp.expInRange(scratch, density, n);
      // exp(-x^2 / 2) = exp(-float(x^2) / 2) exp(-e / 2) with e = x^2 - float(x^2), to float precision: a
      // rounded x^2 / 2 would cost up to 87 times its relative error.
      for (int j = 0; j < n; j++) density[j] = density[j] * (1 - 0.5f * Erf.squareError(magnitude(x[j])));
    }
  }

  /**
   * T = Phi(-a) = erfc(a / sqrt 2) / 2 from E = exp(-a^2 / 2), for a = |x|: Phi(x) is T for x &lt; 0 and 1 - T
   * above, where 1 - T cannot cancel (T &le; 1/2).
   */
  private static float tail(float a, float e) {
    return e / erfcDenominator(a * SQRT_HALF_F);
  }

  /** |x|, clamped at LIMIT (Math.abs and one min: a two-sided clamp costs the JIT twice the instructions). */
  private static float magnitude(float x) {
    return Math.min(Math.abs(x), LIMIT);
  }

  /**
   * 2 / (erfc(a) exp(a^2)) for a in [0, 9.5], as 2 sqrt(pi) a + g(a): the form of Laplace's continued fraction
   * for erfc (Abramowitz and Stegun 7.1.14), with g (2 at a = 0, about sqrt(pi) / a for large a) a rational
   * function of degree 4 over 4 fitted here by iteratively reweighted least squares, to a relative 1.5e-8 of the
   * sum. g's rounding errors shrink with its share of the sum (a quarter at a = 1, 3% at a = 4), which keeps the
   * sum within about an ulp, where a rational function for erfc(a) exp(a^2) itself rounded to 4.5 ulp at its far
   * end.
   */
  static float erfcDenominator(float a) {
    float p = 1.0648832e-05f;
    p = Math.fma(p, a, 0.06744829f);
    p = Math.fma(p, a, 0.45605633f);
    p = Math.fma(p, a, 1.2890567f);
    p = Math.fma(p, a, 2f);
    float q = 0.038242582f;
    q = Math.fma(q, a, 0.25478175f);
    q = Math.fma(q, a, 0.7847637f);
    q = Math.fma(q, a, 1.2886018f);
    q = Math.fma(q, a, 1f);
    return Math.fma(TWO_SQRT_PI_F, a, p / q);
  }

  /** The tanh approximation of Phi(x). */
  private static double cdf(double x) {
    return 0.5 * (1 + Math.tanh(SQRT_TWO_OVER_PI * (x + CUBIC * x * x * x)));
  }
}
