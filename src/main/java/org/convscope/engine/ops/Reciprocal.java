package org.convscope.engine.ops;

/** 1 / x. */
public final class Reciprocal extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) y[i] = 1f / x[i];
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx) {
    // d(1/x)/dx = -1/x^2 = -y^2
    for (int i = 0; i < x.length; i++) dx[i] = -dy[i] * y[i] * y[i];
  }
}
