package org.convscope.engine.ops;

import org.convscope.tensor.Tensor;

/** a * b with numpy broadcasting. */
public final class Mul extends BinaryArithmetic {

  @Override
  void run(float[] a, int ia, int sa, float[] b, int ib, int sb, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] * b[ib + k * sb];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] * b[ib + k * sb];
  }

  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    float[] x = a.data();
    float[] z = b.data();
    // Accumulating at each operand's index sums the gradient over the positions it was repeated to.
    float[] da = needed[0] ? new float[x.length] : null;
    float[] db = needed[1] ? new float[z.length] : null;
    plan.forEachRun((o, ia, sa, ib, sb, n) -> {
      for (int k = 0; k < n; k++) {
        if (da != null) da[ia + k * sa] += g[o + k] * z[ib + k * sb];
        if (db != null) db[ib + k * sb] += g[o + k] * x[ia + k * sa];
      }
    });
    return new Tensor[] {
        da == null ? null : Tensor.of(da, a.shape()),
        db == null ? null : Tensor.of(db, b.shape())};
  }
}
