package org.convscope.engine.ops;

import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * Remainder with numpy broadcasting. With {@code fmod=0} (the default, integers only in ONNX) the result takes
 * the divisor's sign, as Python's %; with {@code fmod=1} it takes the dividend's, as C's fmod. PyTorch writes
 * it for index arithmetic (Swin's window shifts). For floats, d/da = 1 and d/db = -q with q the quotient the
 * remainder was taken after (truncated for fmod, floored otherwise).
 */
public final class Mod extends BinaryArithmetic {
  private final boolean fmod;

  public Mod(boolean fmod) {
    this.fmod = fmod;
  }

  static Mod create(OpSpec spec) {
    long fmod = spec.attributes().getInt("fmod", 0);
    if (fmod != 0 && fmod != 1) throw spec.invalid("fmod must be 0 or 1, got " + fmod);
    return new Mod(fmod == 1);
  }

  @Override
  void run(float[] a, int ia, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = remainder(a[ia + k], b[ib + k]);
  }

  @Override
  void run(float[] a, int ia, float b, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = remainder(a[ia + k], b);
  }

  @Override
  void run(float a, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = remainder(a, b[ib + k]);
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) {
      long x = a[ia + k * sa];
      long y = b[ib + k * sb];
      out[o + k] = fmod ? x % y : Math.floorMod(x, y);
    }
  }

  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    float[] x = a.data();
    float[] z = b.data();
    float[] db = needed[1] ? new float[z.length] : null;
    if (db != null) {
      plan.forEachRun((o, ia, sa, ib, sb, n) -> {
        for (int k = 0; k < n; k++) db[ib + k * sb] -= (float) (g[o + k] * quotient(x[ia + k * sa], z[ib + k * sb]));
      });
    }
    return new Tensor[] {
        needed[0] ? reduced(g, plan, a.shape()) : null,
        db == null ? null : Tensor.of(db, b.shape())};
  }

  private float remainder(float x, float y) {
    return (float) (x - y * quotient(x, y));
  }

  private double quotient(double x, double y) {
    double q = x / y;
    return fmod ? (q < 0 ? Math.ceil(q) : Math.floor(q)) : Math.floor(q);
  }
}
