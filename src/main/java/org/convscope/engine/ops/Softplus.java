package org.convscope.engine.ops;

/** log(1 + exp(x)), whose derivative is the sigmoid. */
public final class Softplus extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y) {
    // max(x, 0) + log(1 + exp(-|x|)) never overflows and keeps precision for large |x|.
    for (int i = 0; i < x.length; i++) y[i] = (float) (Math.max(x[i], 0) + Math.log1p(Math.exp(-Math.abs(x[i]))));
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx) {
    for (int i = 0; i < x.length; i++) dx[i] = (float) (dy[i] / (1 + Math.exp(-x[i])));
  }
}
