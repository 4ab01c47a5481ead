package org.convscope.engine.ops;

import org.convscope.tensor.Tensor;

/** a + b with numpy broadcasting. */
public final class Add extends BinaryArithmetic {

  @Override
  void run(float[] a, int ia, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] + b[ib + k];
  }

  @Override
  void run(float[] a, int ia, float b, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] + b;
  }

  @Override
  void run(float a, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a + b[ib + k];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] + b[ib + k * sb];
  }

  /**
   * Needs the operands' shapes only. A fused recorded run may skip an operand (a convolution's output that it
   * added as it wrote) and give null for it; it fuses only Adds that do not broadcast, so that operand has the
   * output's shape. An operand of the output's shape gets the output's gradient itself.
   */
  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    return new Tensor[] {
        needed[0] ? reduced(g, plan, a == null ? plan.shape() : a.shape()) : null,
        needed[1] ? reduced(g, plan, b == null ? plan.shape() : b.shape()) : null};
  }

  @Override
  public boolean backwardReadsInput(int j, boolean[] needed) {
    return false;
  }

  @Override
  public boolean backwardReadsOutput(int j) {
    return false;
  }
}
