package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.Parallel;
import org.convscope.tensor.Tensor;

/**
 * Base of Add, Sub, Mul and Div: numpy broadcasting on two float or two int64 tensors (int64 is PyTorch's
 * shape arithmetic, which carries no gradient). Subclasses compute one broadcast run at a time: {@code n}
 * outputs from {@code out}, operand a from {@code ia} stepping {@code sa} (0 or 1), b likewise.
 */
abstract class BinaryArithmetic implements Op {

  abstract void run(float[] a, int ia, int sa, float[] b, int ib, int sb, float[] out, int o, int n);

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
    if (a.isFloat()) {
      float[] x = a.data();
      float[] y = b.data();
      float[] out = new float[plan.size()];
      if (x.length == out.length && y.length == out.length) {
        // Equal shapes (a residual connection): one run, split across the cores.
        Parallel.forEachElement(out.length, (from, to) -> run(x, from, 1, y, from, 1, out, from, to - from));
        return new Tensor[] {Tensor.of(out, plan.shape())};
      }
      plan.forEachRun((o, ia, sa, ib, sb, n) -> run(x, ia, sa, y, ib, sb, out, o, n));
      return new Tensor[] {Tensor.of(out, plan.shape())};
    }
    long[] x = a.longs();
    long[] y = b.longs();
    long[] out = new long[plan.size()];
    plan.forEachRun((o, ia, sa, ib, sb, n) -> run(x, ia, sa, y, ib, sb, out, o, n));
    return new Tensor[] {Tensor.ofLongs(out, plan.shape())};
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

  /** The gradient {@code g} summed over the dimensions along which {@code operand} was broadcast. */
  static Tensor reduced(float[] g, BroadcastPlan plan, Tensor operand) {
    return Tensor.of(BroadcastPlan.sumTo(g, plan.shape(), operand.shape()), operand.shape());
  }
}
