package org.convscope.engine.ops;

import org.convscope.tensor.Tensor;

/** a * b with numpy broadcasting. */
public final class Mul extends BinaryArithmetic {

  @Override
  void run(float[] a, int ia, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] * b[ib + k];
  }

  @Override
  void run(float[] a, int ia, float b, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] * b;
  }

  @Override
  void run(float a, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a * b[ib + k];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] * b[ib + k * sb];
  }

  /** g * b for a and g * a for b, each summed over the dimensions its operand was broadcast along. */
  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    return new Tensor[] {
        needed[0] ? reduced(compute(g, plan, b), plan, a.shape()) : null,
        needed[1] ? reduced(compute(g, plan, a), plan, b.shape()) : null};
  }
}
