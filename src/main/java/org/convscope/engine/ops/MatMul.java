package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Matrix product with numpy semantics: the last two dimensions are matrices, leading dimensions are batches
 * that broadcast, a 1-D first operand is a row vector and a 1-D second operand a column vector (their unit
 * dimension is dropped from the result).
 */
public final class MatMul implements Op {

  /** How the operands pair up: matrix sizes, batch broadcasting, and the result's shape. */
  private static final class Layout {
    final int m;
    final int k;
    final int n;
    final int batches;
    /** For each batch of the result, the batch index in a and in b. */
    final int[] aBatch;
    final int[] bBatch;
    final int[] batchShape;
    /** The operands' batch shapes followed by their matrix shapes, 1-D operands promoted to matrices. */
    final int[] aFull;
    final int[] bFull;
    final int[] outShape;

    Layout(int[] a, int[] b) {
      if (a.length == 0 || b.length == 0) throw new IllegalArgumentException("MatMul operands cannot be scalars");
      int[] aMatrix = a.length == 1 ? new int[] {1, a[0]} : a;
      int[] bMatrix = b.length == 1 ? new int[] {b[0], 1} : b;
      m = aMatrix[aMatrix.length - 2];
      k = aMatrix[aMatrix.length - 1];
      n = bMatrix[bMatrix.length - 1];
      if (bMatrix[bMatrix.length - 2] != k) {
        throw new IllegalArgumentException("shapes " + Shapes.toString(a) + " and " + Shapes.toString(b)
            + " cannot be multiplied: inner dimensions " + k + " and " + bMatrix[bMatrix.length - 2] + " differ");
      }
      int[] aBatchShape = Arrays.copyOf(aMatrix, aMatrix.length - 2);
      int[] bBatchShape = Arrays.copyOf(bMatrix, bMatrix.length - 2);
      BroadcastPlan plan = BroadcastPlan.of(aBatchShape, bBatchShape);
      batchShape = plan.shape();
      batches = plan.size();
      aBatch = new int[batches];
      bBatch = new int[batches];
      plan.forEachRun((o, ia, sa, ib, sb, length) -> {
        for (int t = 0; t < length; t++) {
          aBatch[o + t] = ia + t * sa;
          bBatch[o + t] = ib + t * sb;
        }
      });
      aFull = aMatrix;
      bFull = bMatrix;
      int[] out = batchShape;
      if (a.length > 1) out = append(out, m);
      if (b.length > 1) out = append(out, n);
      outShape = out;
    }

    /** The result's batch shape followed by one matrix shape. */
    int[] batched(int rows, int cols) {
      return append(batchShape, rows, cols);
    }

    private static int[] append(int[] shape, int... dims) {
      int[] out = Arrays.copyOf(shape, shape.length + dims.length);
      System.arraycopy(dims, 0, out, shape.length, dims.length);
      return out;
    }
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Layout l = new Layout(inputs[0].shape(), inputs[1].shape());
    float[] a = inputs[0].data();
    float[] b = inputs[1].data();
    float[] c = new float[Shapes.checkedSize(l.batched(l.m, l.n))];
    for (int t = 0; t < l.batches; t++) {
      MatrixKernels.multiplyAdd(a, l.aBatch[t] * l.m * l.k, false, b, l.bBatch[t] * l.k * l.n, false,
          c, t * l.m * l.n, l.m, l.n, l.k, 1f);
    }
    return new Tensor[] {Tensor.of(c, l.outShape)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Layout l = new Layout(inputs[0].shape(), inputs[1].shape());
    float[] a = inputs[0].data();
    float[] b = inputs[1].data();
    float[] g = outputGrads[0].data();
    int mn = l.m * l.n;
    Tensor da = null;
    Tensor db = null;
    if (needed[0]) {
      // dA = g * B^T for every batch of the result, then summed over the batches A was broadcast along.
      int mk = l.m * l.k;
      float[] full = new float[l.batches * mk];
      for (int t = 0; t < l.batches; t++) {
        MatrixKernels.multiplyAdd(g, t * mn, false, b, l.bBatch[t] * l.k * l.n, true, full, t * mk, l.m, l.k, l.n, 1f);
      }
      da = Tensor.of(sumBatches(full, l.batched(l.m, l.k), l.aFull), inputs[0].shape());
    }
    if (needed[1]) {
      // dB = A^T * g, likewise summed over B's broadcast batches.
      int kn = l.k * l.n;
      float[] full = new float[l.batches * kn];
      for (int t = 0; t < l.batches; t++) {
        MatrixKernels.multiplyAdd(a, l.aBatch[t] * l.m * l.k, true, g, t * mn, false, full, t * kn, l.k, l.n, l.m, 1f);
      }
      db = Tensor.of(sumBatches(full, l.batched(l.k, l.n), l.bFull), inputs[1].shape());
    }
    return new Tensor[] {da, db};
  }

  /** Sums per-batch gradients over the batches an operand was broadcast along (nothing to do if none). */
  private static float[] sumBatches(float[] perBatch, int[] batchedShape, int[] operandShape) {
    return Arrays.equals(batchedShape, operandShape) ? perBatch : BroadcastPlan.sumTo(perBatch, batchedShape, operandShape);
  }
}
