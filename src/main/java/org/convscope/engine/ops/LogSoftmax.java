package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;

/** x - log(sum(exp(x))) along an axis; see {@link SoftmaxFamily} for how the axis depends on the opset. */
public final class LogSoftmax extends SoftmaxFamily {

  public LogSoftmax(int axis, boolean coerceTo2d) {
    super(axis, coerceTo2d);
  }

  static LogSoftmax create(OpSpec spec) {
    return new LogSoftmax(axis(spec), coercesTo2d(spec));
  }

  @Override
  void forwardLane(float[] x, float[] y, int start, int stride, int n) {
    int end = start + n * stride;
    float max = Float.NEGATIVE_INFINITY;
    for (int i = start; i < end; i += stride) max = Math.max(max, x[i]);
    double sum = 0;
    for (int i = start; i < end; i += stride) sum += Math.exp(x[i] - max);
    double logSum = max + Math.log(sum);
    for (int i = start; i < end; i += stride) y[i] = (float) (x[i] - logSum);
  }

  @Override
  void backwardLane(float[] y, float[] g, float[] dx, int start, int stride, int n) {
    // dx = g - softmax(x) * sum(g), and softmax(x) = exp(y)
    int end = start + n * stride;
    double total = 0;
    for (int i = start; i < end; i += stride) total += g[i];
    for (int i = start; i < end; i += stride) dx[i] = (float) (g[i] - Math.exp(y[i]) * total);
  }
}
