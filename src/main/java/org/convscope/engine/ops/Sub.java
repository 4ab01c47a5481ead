package org.convscope.engine.ops;

import org.convscope.tensor.Tensor;

/** a - b with numpy broadcasting. */
public final class Sub extends BinaryArithmetic {

  @Override
  void run(float[] a, int ia, int sa, float[] b, int ib, int sb, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] - b[ib + k * sb];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] - b[ib + k * sb];
  }

  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    Tensor db = null;
    if (needed[1]) {
      db = reduced(g, plan, b);
      float[] d = db.data();
      for (int i = 0; i < d.length; i++) d[i] = -d[i];
    }
    return new Tensor[] {needed[0] ? reduced(g, plan, a) : null, db};
  }
}
