package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/**
 * Gaussian error linear unit (opset 20), x * Phi(x) with Phi the standard normal CDF. With
 * {@code approximate="tanh"} Phi(x) is replaced by (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) / 2, as in
 * PyTorch's {@code gelu(approximate='tanh')}.
 *
 * <p>The exact form computes in float: Phi(x) = (1 + erf(x / sqrt 2)) / 2 from {@link Erf}'s kernel where that
 * sum cannot cancel (x at or above {@link #TAIL}), and below from Erf's erfc piece, which keeps the tail's
 * tiny values accurate relatively; only beyond {@link #FAR_TAIL} it computes erfc in double. PyTorch 2's
 * exporter writes ConvNeXt's and ViT's GELU as this op, about 8.6 million values per ConvNeXt-T image.
 */
public final class Gelu extends ElementwiseActivation {
  private static final double SQRT_HALF = Math.sqrt(0.5);
  private static final double SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);
  private static final double ONE_OVER_SQRT_TWO_PI = 1 / Math.sqrt(2 * Math.PI);
  private static final double CUBIC = 0.044715;
  private static final float SQRT_HALF_F = (float) SQRT_HALF;
  private static final float ONE_OVER_SQRT_TWO_PI_F = (float) ONE_OVER_SQRT_TWO_PI;
  /**
   * Below this, erf(x / sqrt 2) is under -0.765 and 1 + erf would lose bits in float (it falls to 0 in the
   * tail, where Phi is tiny but not 0).
   */
  private static final float TAIL = -1.19f;
  /** Below this, x / sqrt 2 leaves the range of {@link Erf}'s large piece: double (about 3e-8 of normal values). */
  private static final float FAR_TAIL = -5.54f;
  private static final Erf ERF = new Erf();

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
      for (int j = 0; j < n; j++) y[start + j] = b.x[j] * b.cdf[j];
      for (int j = 0; j < n; j++) {
        float v = x[start + j];
        if (v < FAR_TAIL) y[start + j] = (float) (v * cdf(v));
      }
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
      for (int j = 0; j < n; j++) {
        dx[start + j] = dy[start + j] * (b.cdf[j] + b.x[j] * ONE_OVER_SQRT_TWO_PI_F * b.density[j]);
      }
      for (int j = 0; j < n; j++) {
        double v = x[start + j];
        if (v < FAR_TAIL) dx[start + j] = (float) (dy[start + j] * (cdf(v) + v * ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * v * v)));
      }
    }
  }

  /**
   * One block's Phi(x) and exp(-x^2 / 2), in float and in loops the JIT vectorizes: Phi from erf(x / sqrt 2)
   * where x &ge; {@link #TAIL}, and below from {@link Erf}'s large piece, erfc(a) = exp(-a^2) R2(a), with
   * a^2 = x^2 / 2 taken from x itself (a rounded a would cost 2 a^2 times its rounding error, relatively: 30 ulp
   * at a = 3.9); exp(-x^2 / 2) with x^2's rounding error put back.
   */
  private static final class Block {
    final float[] x = new float[FastExp.BLOCK];
    final float[] cdf = new float[FastExp.BLOCK];
    final float[] density = new float[FastExp.BLOCK];
    private final float[] erf = new float[FastExp.BLOCK];
    private final float[] scratch = new float[FastExp.BLOCK];

    void load(float[] from, int start, int n) {
      System.arraycopy(from, start, x, 0, n);
      for (int j = 0; j < n; j++) scratch[j] = x[j] * SQRT_HALF_F;
      ERF.apply(scratch, erf, 0, n);
      for (int j = 0; j < n; j++) scratch[j] = -0.5f * (x[j] * x[j]);
      FastExp.exp(scratch, density, n);
      // exp(-x^2 / 2) = exp(-float(x^2) / 2) exp(-e / 2) with e = x^2 - float(x^2), to float precision.
      for (int j = 0; j < n; j++) density[j] = density[j] * (1 - 0.5f * Erf.squareError(x[j]));
      for (int j = 0; j < n; j++) {
        float a = Math.min(Math.max(-x[j] * SQRT_HALF_F, Erf.SPLIT), Erf.CLAMP);
        float tail = 0.5f * density[j] * Erf.tailFactor(a);
        cdf[j] = x[j] < TAIL ? tail : 0.5f * (1 + erf[j]);
      }
    }
  }

  /** Phi(x), or its tanh approximation. */
  private double cdf(double x) {
    if (tanhApproximation) return 0.5 * (1 + Math.tanh(SQRT_TWO_OVER_PI * (x + CUBIC * x * x * x)));
    // erfc keeps Phi accurate far into the negative tail, where 1 + erf(x) would cancel to nothing.
    return 0.5 * Erf.erfc(-x * SQRT_HALF);
  }
}
