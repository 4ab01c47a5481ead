package org.convscope.engine.ops;

/** Natural logarithm: -inf at 0, NaN below. */
public final class Log extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) y[i] = (float) Math.log(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx) {
    for (int i = 0; i < x.length; i++) dx[i] = dy[i] / x[i];
  }
}
