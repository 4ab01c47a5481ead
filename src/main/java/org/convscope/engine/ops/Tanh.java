package org.convscope.engine.ops;

/** Hyperbolic tangent. */
public final class Tanh extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) y[i] = (float) Math.tanh(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx) {
    for (int i = 0; i < x.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
  }
}
