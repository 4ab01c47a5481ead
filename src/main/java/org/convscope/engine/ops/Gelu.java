package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/**
 * Gaussian error linear unit (opset 20), x * Phi(x) with Phi the standard normal CDF. With
 * {@code approximate="tanh"} Phi(x) is replaced by (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) / 2, as in
 * PyTorch's {@code gelu(approximate='tanh')}.
 */
public final class Gelu extends ElementwiseActivation {
  private static final double SQRT_HALF = Math.sqrt(0.5);
  private static final double SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);
  private static final double ONE_OVER_SQRT_TWO_PI = 1 / Math.sqrt(2 * Math.PI);
  private static final double CUBIC = 0.044715;

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
    for (int i = from; i < to; i++) y[i] = (float) (x[i] * cdf(x[i]));
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) {
      double v = x[i];
      double derivative;
      if (tanhApproximation) {
        double t = Math.tanh(SQRT_TWO_OVER_PI * (v + CUBIC * v * v * v));
        derivative = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_TWO_OVER_PI * (1 + 3 * CUBIC * v * v);
      } else {
        derivative = cdf(v) + v * ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * v * v);
      }
      dx[i] = (float) (dy[i] * derivative);
    }
  }

  /** Phi(x), or its tanh approximation. */
  private double cdf(double x) {
    if (tanhApproximation) return 0.5 * (1 + Math.tanh(SQRT_TWO_OVER_PI * (x + CUBIC * x * x * x)));
    // erfc keeps Phi accurate far into the negative tail, where 1 + erf(x) would cancel to nothing.
    return 0.5 * Erf.erfc(-x * SQRT_HALF);
  }
}
