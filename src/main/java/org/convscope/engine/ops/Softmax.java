package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/** exp(x) / sum(exp(x)) along an axis; see {@link SoftmaxFamily} for how the axis depends on the opset. */
public final class Softmax extends SoftmaxFamily {

  public Softmax(int axis, boolean coerceTo2d) {
    super(axis, coerceTo2d);
  }

  static Softmax create(OpSpec spec) {
    return new Softmax(axis(spec), coercesTo2d(spec));
  }

  @Override
  void forwardLane(float[] x, float[] y, int start, int stride, int n) {
    int end = start + n * stride;
    float max = Float.NEGATIVE_INFINITY;
    for (int i = start; i < end; i += stride) max = Math.max(max, x[i]);
    double sum = 0;
    for (int i = start; i < end; i += stride) {
      double e = Math.exp(x[i] - max);
      y[i] = (float) e;
      sum += e;
    }
    for (int i = start; i < end; i += stride) y[i] = (float) (y[i] / sum);
  }

  @Override
  void backwardLane(float[] y, float[] g, float[] dx, int start, int stride, int n) {
    // dx = y * (g - sum(g * y))
    int end = start + n * stride;
    double dot = 0;
    for (int i = start; i < end; i += stride) dot += (double) g[i] * y[i];
    for (int i = start; i < end; i += stride) dx[i] = (float) (y[i] * (g[i] - dot));
  }
}
