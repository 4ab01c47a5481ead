package org.convscope.engine.ops;

import org.convscope.engine.Parallel;
import org.convscope.tensor.Tensor;

/** a - b with numpy broadcasting. */
public final class Sub extends BinaryArithmetic {

  @Override
  void run(float[] a, int ia, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] - b[ib + k];
  }

  @Override
  void run(float[] a, int ia, float b, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] - b;
  }

  @Override
  void run(float a, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a - b[ib + k];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] - b[ib + k * sb];
  }

  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    Tensor db = null;
    if (needed[1]) {
      // sumTo always returns a new array, which may be negated in place.
      float[] d = BroadcastPlan.sumTo(g, plan.shape(), b.shape());
      Parallel.forEachElement(d.length, (from, to) -> {
        for (int i = from; i < to; i++) d[i] = -d[i];
      });
      db = Tensor.of(d, b.shape());
    }
    return new Tensor[] {needed[0] ? reduced(g, plan, a.shape()) : null, db};
  }
}
