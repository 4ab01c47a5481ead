package org.convscope.engine.ops;

/** |x|. The gradient is the sign of x, and 0 at 0, as in PyTorch. */
public final class Abs extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) y[i] = Math.abs(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx) {
    for (int i = 0; i < x.length; i++) dx[i] = dy[i] * Math.signum(x[i]);
  }
}
