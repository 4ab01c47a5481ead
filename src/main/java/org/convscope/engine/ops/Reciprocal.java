package org.convscope.engine.ops;

/** 1 / x. */
public final class Reciprocal extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = 1f / x[i];
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    // d(1/x)/dx = -1/x^2 = -y^2
    for (int i = from; i < to; i++) dx[i] = -dy[i] * y[i] * y[i];
  }
}
