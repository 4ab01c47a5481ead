package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.NonDifferentiable;
import org.convscope.tensor.Tensor;

/**
 * Base of And, Or and Xor on ONNX bools, which the engine holds as int64 (any non-zero value is true), with
 * numpy broadcasting. The result is int64 0 or 1.
 */
abstract class Logical implements NonDifferentiable {

  abstract boolean combine(boolean a, boolean b);

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    long[] x = inputs[0].longs();
    long[] y = inputs[1].longs();
    BroadcastPlan plan = BroadcastPlan.of(inputs[0].shape(), inputs[1].shape());
    long[] out = new long[plan.size()];
    plan.forEachRun((o, ia, sa, ib, sb, n) -> {
      for (int k = 0; k < n; k++) out[o + k] = combine(x[ia + k * sa] != 0, y[ib + k * sb] != 0) ? 1 : 0;
    });
    return new Tensor[] {Tensor.ofLongs(out, plan.shape())};
  }
}
