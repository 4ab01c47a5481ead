package org.convscope.engine.ops;

/** -1, 0 or 1 by the sign of x (NaN stays NaN). Piecewise constant, so the gradient is 0. */
public final class Sign extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = Math.signum(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    // dx is already all zeros.
  }
}
