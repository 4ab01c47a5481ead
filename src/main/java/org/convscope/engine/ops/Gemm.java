package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * alpha * op(A) * op(B) + beta * C for 2-D A and B, where op transposes when transA / transB is set and C
 * broadcasts to the result (one way). PyTorch exports Linear layers as Gemm with transB = 1. C is optional
 * from opset 11.
 */
public final class Gemm implements Op {
  private final float alpha;
  private final float beta;
  private final boolean transA;
  private final boolean transB;

  public Gemm(float alpha, float beta, boolean transA, boolean transB) {
    this.alpha = alpha;
    this.beta = beta;
    this.transA = transA;
    this.transB = transB;
  }

  static Gemm create(OpSpec spec) {
    if (spec.opset() < 11 && spec.inputCount() < 3) throw spec.invalid("input C is required before opset 11");
    return new Gemm(spec.attributes().getFloat("alpha", 1f), spec.attributes().getFloat("beta", 1f),
        flag(spec, "transA"), flag(spec, "transB"));
  }

  private static boolean flag(OpSpec spec, String name) {
    long v = spec.attributes().getInt(name, 0);
    if (v != 0 && v != 1) throw spec.invalid(name + " must be 0 or 1, got " + v);
    return v == 1;
  }

  /** Sizes of op(A) (m x k) and op(B) (k x n), checked. */
  private record Sizes(int m, int k, int n) {}

  private Sizes sizes(Tensor a, Tensor b) {
    if (a.rank() != 2 || b.rank() != 2) {
      throw new IllegalArgumentException("Gemm needs 2-D A and B, got " + Shapes.toString(a.shape())
          + " and " + Shapes.toString(b.shape()));
    }
    int m = transA ? a.dim(1) : a.dim(0);
    int k = transA ? a.dim(0) : a.dim(1);
    int kb = transB ? b.dim(1) : b.dim(0);
    int n = transB ? b.dim(0) : b.dim(1);
    if (k != kb) {
      throw new IllegalArgumentException("inner dimensions differ: op(A) has " + k + " columns, op(B) " + kb + " rows");
    }
    return new Sizes(m, k, n);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Sizes s = sizes(inputs[0], inputs[1]);
    Tensor c = inputs.length > 2 ? inputs[2] : null;
    int[] shape = {s.m, s.n};
    float[] y = scaled(MatrixKernels.product(inputs[0].data(), transA, inputs[1], transB, s.m, s.n, s.k), alpha);
    if (c != null && beta != 0) {
      float[] addend = BroadcastPlan.expand(c.data(), c.shape(), shape);
      for (int i = 0; i < y.length; i++) y[i] += beta * addend[i];
    }
    return new Tensor[] {Tensor.of(y, shape)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Sizes s = sizes(inputs[0], inputs[1]);
    float[] a = inputs[0].data();
    float[] b = inputs[1].data();
    float[] g = outputGrads[0].data();
    Tensor[] grads = new Tensor[inputs.length];
    if (needed[0]) {
      // d op(A) = alpha * g * op(B)^T; when A is stored transposed, dA is the transpose: alpha * op(B) * g^T.
      float[] da = transA
          ? MatrixKernels.product(b, transB, g, true, s.k, s.m, s.n)
          : MatrixKernels.product(g, false, inputs[1], !transB, s.m, s.k, s.n);
      grads[0] = Tensor.of(scaled(da, alpha), inputs[0].shape());
    }
    if (needed[1]) {
      // d op(B) = alpha * op(A)^T * g; when B is stored transposed: alpha * g^T * op(A).
      float[] db = transB
          ? MatrixKernels.product(g, true, a, transA, s.n, s.k, s.m)
          : MatrixKernels.product(a, !transA, g, false, s.k, s.n, s.m);
      grads[1] = Tensor.of(scaled(db, alpha), inputs[1].shape());
    }
    if (inputs.length > 2 && inputs[2] != null && needed[2]) {
      float[] dc = BroadcastPlan.sumTo(g, new int[] {s.m, s.n}, inputs[2].shape());
      for (int i = 0; i < dc.length; i++) dc[i] *= beta;
      grads[2] = Tensor.of(dc, inputs[2].shape());
    }
    return grads;
  }

  /** {@code values} multiplied by {@code alpha} in place, and returned. */
  private static float[] scaled(float[] values, float alpha) {
    if (alpha != 1) for (int i = 0; i < values.length; i++) values[i] *= alpha;
    return values;
  }
}
