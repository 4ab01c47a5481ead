package org.convscope.engine.ops;

import org.convscope.tensor.Tensor;

/** a / b with numpy broadcasting; int64 division truncates toward zero, as in C. */
public final class Div extends BinaryArithmetic {

  @Override
  void run(float[] a, int ia, int sa, float[] b, int ib, int sb, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] / b[ib + k * sb];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] / b[ib + k * sb];
  }

  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    float[] z = b.data();
    float[] q = y.data();
    // d(a/b)/da = 1/b and d(a/b)/db = -a/b^2 = -y/b.
    float[] da = needed[0] ? new float[a.size()] : null;
    float[] db = needed[1] ? new float[z.length] : null;
    plan.forEachRun((o, ia, sa, ib, sb, n) -> {
      for (int k = 0; k < n; k++) {
        float gOverB = g[o + k] / z[ib + k * sb];
        if (da != null) da[ia + k * sa] += gOverB;
        if (db != null) db[ib + k * sb] -= gOverB * q[o + k];
      }
    });
    return new Tensor[] {
        da == null ? null : Tensor.of(da, a.shape()),
        db == null ? null : Tensor.of(db, b.shape())};
  }
}
