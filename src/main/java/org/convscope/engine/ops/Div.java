package org.convscope.engine.ops;

import org.convscope.engine.Parallel;
import org.convscope.tensor.Tensor;

/** a / b with numpy broadcasting; int64 division truncates toward zero, as in C. */
public final class Div extends BinaryArithmetic {

  @Override
  void run(float[] a, int ia, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] / b[ib + k];
  }

  @Override
  void run(float[] a, int ia, float b, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] / b;
  }

  @Override
  void run(float a, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a / b[ib + k];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] / b[ib + k * sb];
  }

  /** d(a/b)/da = 1/b and d(a/b)/db = -a/b^2 = -y/b: both from g/b, each summed to its operand's shape. */
  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    float[] gOverB = compute(g, plan, b);
    Tensor db = null;
    if (needed[1]) {
      float[] q = y.data();
      float[] full = new float[gOverB.length];
      Parallel.forEachElement(full.length, (from, to) -> {
        for (int i = from; i < to; i++) full[i] = -gOverB[i] * q[i];
      });
      db = reduced(full, plan, b.shape());
    }
    return new Tensor[] {needed[0] ? reduced(gOverB, plan, a.shape()) : null, db};
  }
}
