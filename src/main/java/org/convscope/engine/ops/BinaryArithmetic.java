package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * Base of Add, Sub, Mul and Div: numpy broadcasting on two float or two int64 tensors (int64 is PyTorch's
 * shape arithmetic, which carries no gradient). Float outputs are computed a broadcast run at a time, split
 * across the cores; subclasses give one loop for each way the operands can line up in a run, so that the JIT
 * vectorizes each (a loop with the strides as variables it does not).
 */
abstract class BinaryArithmetic implements Op {

  /** Operands of equal shape: {@code n} outputs from {@code out}, a from {@code ia}, b from {@code ib}. */
  abstract void run(float[] a, int ia, float[] b, int ib, float[] out, int o, int n);

  /** The same with one value of b for the whole run: [N,C,H,W] op [N,C,1,1], or a scalar. */
  abstract void run(float[] a, int ia, float b, float[] out, int o, int n);

  /** The same with one value of a for the whole run. */
  abstract void run(float a, float[] b, int ib, float[] out, int o, int n);

  /** int64 operands: a from {@code ia} stepping {@code sa} (0 or 1), b likewise. */
  abstract void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n);

  /** Input gradients, given the forward plan; entries not {@code needed} stay null. */
  abstract Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed);

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor a = inputs[0];
    Tensor b = inputs[1];
    if (a.dtype() != b.dtype()) {
      throw new IllegalArgumentException("operands have different types: " + a.dtype() + " and " + b.dtype());
    }
    BroadcastPlan plan = BroadcastPlan.of(a.shape(), b.shape());
    if (a.isFloat()) return new Tensor[] {Tensor.of(compute(plan, a.data(), b.data()), plan.shape())};
    long[] x = a.longs();
    long[] y = b.longs();
    long[] out = new long[plan.size()];
    plan.forEachRun((o, ia, sa, ib, sb, n) -> run(x, ia, sa, y, ib, sb, out, o, n));
    return new Tensor[] {Tensor.ofLongs(out, plan.shape())};
  }

  /** The float result of operands laid out by {@code plan}. */
  final float[] compute(BroadcastPlan plan, float[] a, float[] b) {
    float[] out = new float[plan.size()];
    plan.forEachRunInParallel((o, ia, sa, ib, sb, n) -> {
      // A run where both repeat holds a single element, which the first case handles.
      if (sb == 0) {
        run(a, ia, b[ib], out, o, n);
      } else if (sa == 0) {
        run(a[ia], b, ib, out, o, n);
      } else {
        run(a, ia, b, ib, out, o, n);
      }
    });
    return out;
  }

  /** {@code g}, of the output's shape, combined element by element with {@code operand} broadcast to it. */
  final float[] compute(float[] g, BroadcastPlan plan, Tensor operand) {
    return compute(BroadcastPlan.of(plan.shape(), operand.shape()), g, operand.data());
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    // An operand is null only where the op declared it does not read it (Add); it then has the output's shape.
    int[] out = outputGrads[0].shape();
    BroadcastPlan plan = BroadcastPlan.of(inputs[0] != null ? inputs[0].shape() : out,
        inputs[1] != null ? inputs[1].shape() : out);
    return gradients(plan, inputs[0], inputs[1], outputs[0], outputGrads[0].data(), needed);
  }

  /**
   * {@code full}, of the output's shape, summed over the dimensions along which an operand of {@code shape}
   * was broadcast; {@code full} itself where there are none. Gradients are never written in place (the
   * backward pass sums them into new arrays), so the array may be shared.
   */
  static Tensor reduced(float[] full, BroadcastPlan plan, int[] shape) {
    return Tensor.of(plan.hasShape(shape) ? full : BroadcastPlan.sumTo(full, plan.shape(), shape), shape);
  }
}
