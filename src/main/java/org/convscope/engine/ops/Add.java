package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.tensor.Tensor;

/** a + b with numpy broadcasting. */
public final class Add extends BinaryArithmetic {

  @Override
  void run(float[] a, int ia, int sa, float[] b, int ib, int sb, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] + b[ib + k * sb];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] + b[ib + k * sb];
  }

  /**
   * Needs the operands' shapes only. A fused recorded run may skip an operand (a convolution's output that it
   * added as it wrote) and give null for it; it fuses only Adds that do not broadcast, so that operand has the
   * output's shape.
   */
  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    return new Tensor[] {
        needed[0] ? passedOrReduced(g, plan, a == null ? plan.shape() : a.shape()) : null,
        needed[1] ? passedOrReduced(g, plan, b == null ? plan.shape() : b.shape()) : null};
  }

  @Override
  public boolean backwardReadsInput(int j, boolean[] needed) {
    return false;
  }

  @Override
  public boolean backwardReadsOutput(int j) {
    return false;
  }

  /**
   * An operand of the output's shape gets the output's gradient itself: gradients are never written in place
   * (the backward pass sums them into new arrays), so both operands of a residual connection can share it.
   */
  private static Tensor passedOrReduced(float[] g, BroadcastPlan plan, int[] operand) {
    return Arrays.equals(plan.shape(), operand) ? Tensor.of(g, operand)
        : Tensor.of(BroadcastPlan.sumTo(g, plan.shape(), operand), operand);
  }
}
