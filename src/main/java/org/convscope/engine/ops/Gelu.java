package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/**
 * Gaussian error linear unit (opset 20), x * Phi(x) with Phi the standard normal CDF. With
 * {@code approximate="tanh"} Phi(x) is replaced by (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) / 2, as in
 * PyTorch's {@code gelu(approximate='tanh')}.
 *
 * <p>The exact form takes Phi(x) = (1 + erf(x / sqrt 2)) / 2 from {@link Erf}'s float kernel, and its
 * derivative's density from {@link FastExp}, where that sum cannot cancel (x at or above {@link #TAIL});
 * below, it computes erfc in double, which keeps the tiny values of the negative tail accurate. PyTorch 2's
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
    float[] erf = new float[FastExp.BLOCK];
    for (int start = from; start < to; start += FastExp.BLOCK) {
      int n = Math.min(FastExp.BLOCK, to - start);
      erfOfScaled(x, start, n, erf);
      for (int j = 0; j < n; j++) y[start + j] = 0.5f * x[start + j] * (1 + erf[j]);
      for (int j = 0; j < n; j++) {
        float v = x[start + j];
        if (v < TAIL) y[start + j] = (float) (v * cdf(v));
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
    float[] erf = new float[FastExp.BLOCK];
    float[] exponent = new float[FastExp.BLOCK];
    float[] density = new float[FastExp.BLOCK];
    for (int start = from; start < to; start += FastExp.BLOCK) {
      int n = Math.min(FastExp.BLOCK, to - start);
      erfOfScaled(x, start, n, erf);
      for (int j = 0; j < n; j++) exponent[j] = -0.5f * x[start + j] * x[start + j];
      FastExp.exp(exponent, density, n);
      for (int j = 0; j < n; j++) {
        float v = x[start + j];
        dx[start + j] = dy[start + j] * (0.5f * (1 + erf[j]) + v * ONE_OVER_SQRT_TWO_PI_F * density[j]);
      }
      for (int j = 0; j < n; j++) {
        double v = x[start + j];
        if (v < TAIL) dx[start + j] = (float) (dy[start + j] * (cdf(v) + v * ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * v * v)));
      }
    }
  }

  /** erf(x[start + j] / sqrt 2) into {@code erf[j]} for j below n. */
  private static void erfOfScaled(float[] x, int start, int n, float[] erf) {
    float[] scaled = new float[n];
    for (int j = 0; j < n; j++) scaled[j] = x[start + j] * SQRT_HALF_F;
    ERF.apply(scaled, erf, 0, n);
  }

  /** Phi(x), or its tanh approximation. */
  private double cdf(double x) {
    if (tanhApproximation) return 0.5 * (1 + Math.tanh(SQRT_TWO_OVER_PI * (x + CUBIC * x * x * x)));
    // erfc keeps Phi accurate far into the negative tail, where 1 + erf(x) would cancel to nothing.
    return 0.5 * Erf.erfc(-x * SQRT_HALF);
  }
}
