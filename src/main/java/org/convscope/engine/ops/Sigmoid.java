package org.convscope.engine.ops;

/** 1 / (1 + exp(-x)). */
public final class Sigmoid extends ElementwiseActivation {

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    // In double, exp(-x) overflows to infinity for very negative x and the result is a clean 0.
    for (int i = from; i < to; i++) y[i] = (float) (1 / (1 + Math.exp(-x[i])));
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
  }
}
