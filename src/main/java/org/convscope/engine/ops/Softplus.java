package org.convscope.engine.ops;

/** log(1 + exp(x)), whose derivative is the sigmoid. */
public final class Softplus extends ElementwiseActivation {

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    // max(x, 0) + log(1 + exp(-|x|)) never overflows and keeps precision for large |x|.
    for (int i = from; i < to; i++) y[i] = (float) (Math.max(x[i], 0) + Math.log1p(Math.exp(-Math.abs(x[i]))));
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = (float) (dy[i] / (1 + Math.exp(-x[i])));
  }
}
