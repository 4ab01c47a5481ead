package org.convscope.engine.ops;

/** e^x. */
public final class Exp extends ElementwiseActivation {

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = (float) Math.exp(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = dy[i] * y[i];
  }
}
