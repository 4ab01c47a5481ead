package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.NonDifferentiable;
import org.convscope.tensor.Tensor;

/**
 * start, start + delta, ... up to but excluding limit, from three scalars of one type: max(0,
 * ceil((limit - start) / delta)) values. Exporters use it for index arithmetic, so it carries no gradient.
 */
public final class Range implements NonDifferentiable {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor start = scalar(inputs[0], "start");
    Tensor limit = scalar(inputs[1], "limit");
    Tensor delta = scalar(inputs[2], "delta");
    if (start.dtype() != limit.dtype() || start.dtype() != delta.dtype()) {
      throw new IllegalArgumentException("start, limit and delta must have one type");
    }
    if (start.isFloat()) {
      double first = start.data()[0];
      double step = delta.data()[0];
      if (step == 0) throw new IllegalArgumentException("delta must not be 0");
      int n = count(Math.ceil((limit.data()[0] - first) / step));
      float[] out = new float[n];
      for (int i = 0; i < n; i++) out[i] = (float) (first + i * step);
      return new Tensor[] {Tensor.of(out, n)};
    }
    long first = start.longs()[0];
    long step = delta.longs()[0];
    if (step == 0) throw new IllegalArgumentException("delta must not be 0");
    int n = count(Math.ceil((double) (limit.longs()[0] - first) / step));
    long[] out = new long[n];
    for (int i = 0; i < n; i++) out[i] = first + i * step;
    return new Tensor[] {Tensor.ofLongs(out, n)};
  }

  private static int count(double n) {
    return (int) Math.max(0, Math.min(n, Integer.MAX_VALUE));
  }

  private static Tensor scalar(Tensor t, String name) {
    if (t.size() != 1) throw new IllegalArgumentException(name + " must be a scalar, got " + t);
    return t;
  }
}
