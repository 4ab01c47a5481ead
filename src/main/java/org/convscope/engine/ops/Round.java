package org.convscope.engine.ops;

/** Rounds to the nearest integer, halves to even as ONNX specifies. Piecewise constant, so the gradient is 0. */
public final class Round extends ElementwiseActivation {

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = (float) Math.rint(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    // dx is already all zeros.
  }
}
