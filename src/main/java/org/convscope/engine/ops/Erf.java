package org.convscope.engine.ops;

/**
 * The Gauss error function, erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt, which PyTorch's
 * exporter uses to write exact GELU before opset 20. Computed in double to about 1e-15, so that the float
 * result is correctly rounded almost everywhere.
 */
public final class Erf extends ElementwiseActivation {
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
  /** Where the series gives way to the continued fraction: both are accurate here and cheap enough. */
  private static final double SERIES_LIMIT = 3;

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = (float) erf(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = (float) (dy[i] * TWO_OVER_SQRT_PI * Math.exp(-(double) x[i] * x[i]));
  }

  static double erf(double x) {
    if (Math.abs(x) < SERIES_LIMIT) return series(x);
    return Math.signum(x) * (1 - continuedFraction(Math.abs(x)));
  }

  /**
   * 1 - erf(x) to a relative 1e-10 also where it is tiny (large x), which GELU needs for very negative inputs;
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
}
