package org.convscope.engine.ops;

/** Square root: NaN below 0. */
public final class Sqrt extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = (float) Math.sqrt(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = dy[i] * 0.5f / y[i];
  }
}
