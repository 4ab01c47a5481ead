package org.convscope.engine.ops;

/** e^x. */
public final class Exp extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) y[i] = (float) Math.exp(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx) {
    for (int i = 0; i < x.length; i++) dx[i] = dy[i] * y[i];
  }
}
