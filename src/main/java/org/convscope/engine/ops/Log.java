package org.convscope.engine.ops;

/** Natural logarithm: -inf at 0, NaN below. */
public final class Log extends ElementwiseActivation {

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = (float) Math.log(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = dy[i] / x[i];
  }
}
