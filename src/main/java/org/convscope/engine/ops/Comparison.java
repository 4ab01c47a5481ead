package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.NonDifferentiable;
import org.convscope.tensor.Tensor;

/**
 * Base of Equal, Less, Greater, LessOrEqual and GreaterOrEqual: compares two float or two int64 tensors
 * with numpy broadcasting. The result is ONNX's bool as the engine holds it, an int64 tensor of 0 and 1; it
 * carries no gradient.
 */
abstract class Comparison implements NonDifferentiable {

  abstract boolean holds(float a, float b);

  abstract boolean holds(long a, long b);

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor a = inputs[0];
    Tensor b = inputs[1];
    if (a.dtype() != b.dtype()) {
      throw new IllegalArgumentException("operands have different types: " + a.dtype() + " and " + b.dtype());
    }
    BroadcastPlan plan = BroadcastPlan.of(a.shape(), b.shape());
    long[] out = new long[plan.size()];
    if (a.isFloat()) {
      float[] x = a.data();
      float[] y = b.data();
      plan.forEachRun((o, ia, sa, ib, sb, n) -> {
        for (int k = 0; k < n; k++) out[o + k] = holds(x[ia + k * sa], y[ib + k * sb]) ? 1 : 0;
      });
    } else {
      long[] x = a.longs();
      long[] y = b.longs();
      plan.forEachRun((o, ia, sa, ib, sb, n) -> {
        for (int k = 0; k < n; k++) out[o + k] = holds(x[ia + k * sa], y[ib + k * sb]) ? 1 : 0;
      });
    }
    return new Tensor[] {Tensor.ofLongs(out, plan.shape())};
  }
}
