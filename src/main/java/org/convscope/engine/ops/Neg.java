package org.convscope.engine.ops;

/** -x. */
public final class Neg extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) y[i] = -x[i];
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx) {
    for (int i = 0; i < x.length; i++) dx[i] = -dy[i];
  }
}
