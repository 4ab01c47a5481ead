package org.convscope.engine.ops;

import java.util.Arrays;
import java.util.function.Function;
import org.convscope.engine.CompositeAnchor;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Graph;
import org.convscope.engine.Node;
import org.convscope.engine.dnnl.MatrixProduct;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Matrix product with numpy semantics: the last two dimensions are matrices, leading dimensions are batches
 * that broadcast, a 1-D first operand is a row vector and a 1-D second operand a column vector (their unit
 * dimension is dropped from the result). Products big enough to pay for copying to native memory run on
 * oneDNN's matmul primitive, forward and backward; small ones in Java (see {@link MatrixKernels}). A MatMul by a
 * constant matrix followed by a bias Add (and a GELU) runs as one {@link Linear} where nothing else reads the
 * tensors in between.
 */
public final class MatMul implements CompositeAnchor {
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
    /**
     * Whether b is one matrix for all batches (a Linear layer's weight applied to a 4-D tensor): a's batches
     * then stack into one tall matrix, and the product is a single [batches * m, k] x [k, n] one.
     */
    final boolean stacked;

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
      stacked = Shapes.size(bBatchShape) == 1;
    }

    /** The result's batch shape followed by one matrix shape. */
    int[] batched(int rows, int cols) {
      return append(batchShape, rows, cols);
    }

    /** Whether oneDNN computes a batched product (and its gradients): not small ones, nor beyond its rank limit. */
    boolean byDnnl() {
      return MatrixKernels.byDnnl((long) batches * m * n * k) && batchShape.length + 2 <= MatrixProduct.MAX_RANK;
    }

    /** The rows of a's batches stacked into one matrix (see {@link #stacked}). */
    int stackedRows() {
      return batches * m;
    }

    /**
     * The dims oneDNN sees for an operand of batch shape {@code batch} (padded with leading ones to the
     * result's batch rank, where oneDNN broadcasts them) and matrix {@code rows} x {@code cols}.
     */
    long[] dims(int[] batch, int rows, int cols) {
      int r = batchShape.length;
      long[] d = new long[r + 2];
      Arrays.fill(d, 1);
      for (int i = 0; i < batch.length; i++) d[r - batch.length + i] = batch[i];
      d[r] = rows;
      d[r + 1] = cols;
      return d;
    }

    int[] aBatchShape() {
      return Arrays.copyOf(aFull, aFull.length - 2);
    }

    int[] bBatchShape() {
      return Arrays.copyOf(bFull, bFull.length - 2);
    }

    private static int[] append(int[] shape, int... dims) {
      int[] out = Arrays.copyOf(shape, shape.length + dims.length);
      System.arraycopy(dims, 0, out, shape.length, dims.length);
      return out;
    }
  }

  /** A Linear layer around this node, bias and GELU included where they follow (see {@link Linear}). */
  @Override
  public Composite composite(Graph graph, Node node, Function<String, Tensor> constants) {
    return ExportedPatterns.linear(graph, node, constants);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Layout l = new Layout(inputs[0].shape(), inputs[1].shape());
    float[] a = inputs[0].data();
    float[] b = inputs[1].data();
    float[] c;
    if (l.stacked) {
      c = MatrixKernels.product(a, false, inputs[1], false, l.stackedRows(), l.n, l.k);
    } else if (l.byDnnl()) {
      c = MatrixProduct.multiply(new MatrixProduct.Shape(l.dims(l.aBatchShape(), l.m, l.k), false,
          l.dims(l.bBatchShape(), l.k, l.n), false), a, b, null);
    } else {
      c = new float[Shapes.checkedSize(l.batched(l.m, l.n))];
      for (int t = 0; t < l.batches; t++) {
        MatrixKernels.multiplyAdd(a, l.aBatch[t] * l.m * l.k, false, b, l.bBatch[t] * l.k * l.n, false,
            c, t * l.m * l.n, l.m, l.n, l.k, 1f);
      }
    }
    return new Tensor[] {Tensor.of(c, l.outShape)};
  }

  /** The backward pass reads the inputs and the output gradient only. */
  @Override
  public boolean backwardReadsOutput(int j) {
    return false;
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Layout l = new Layout(inputs[0].shape(), inputs[1].shape());
    float[] g = outputGrads[0].data();
    Tensor da = needed[0] ? Tensor.of(inputGradient(l, g, inputs[1]), inputs[0].shape()) : null;
    Tensor db = needed[1] ? Tensor.of(weightGradient(l, inputs[0].data(), g), inputs[1].shape()) : null;
    return new Tensor[] {da, db};
  }

  /** dA = g * B^T for every batch of the result, then summed over the batches A was broadcast along. */
  private static float[] inputGradient(Layout l, float[] g, Tensor b) {
    if (l.stacked) return MatrixKernels.product(g, false, b, true, l.stackedRows(), l.k, l.n);
    float[] full;
    if (l.byDnnl()) {
      full = MatrixProduct.multiply(new MatrixProduct.Shape(l.dims(l.batchShape, l.m, l.n), false,
          l.dims(l.bBatchShape(), l.n, l.k), true), g, b.data(), null);
    } else {
      int mn = l.m * l.n;
      int mk = l.m * l.k;
      full = new float[l.batches * mk];
      for (int t = 0; t < l.batches; t++) {
        MatrixKernels.multiplyAdd(g, t * mn, false, b.data(), l.bBatch[t] * l.k * l.n, true, full, t * mk, l.m, l.k, l.n, 1f);
      }
    }
    return sumBatches(full, l.batched(l.m, l.k), l.aFull);
  }

  /**
   * dB = A^T * g, likewise summed over B's broadcast batches. When B is one matrix for all batches, the sum is
   * part of the product: A's stacked batches are the rows it contracts over.
   */
  private static float[] weightGradient(Layout l, float[] a, float[] g) {
    if (l.stacked) return MatrixKernels.product(a, true, g, false, l.k, l.n, l.stackedRows());
    float[] full;
    if (l.byDnnl()) {
      full = MatrixProduct.multiply(new MatrixProduct.Shape(l.dims(l.aBatchShape(), l.k, l.m), true,
          l.dims(l.batchShape, l.m, l.n), false), a, g, null);
    } else {
      int mn = l.m * l.n;
      int kn = l.k * l.n;
      full = new float[l.batches * kn];
      for (int t = 0; t < l.batches; t++) {
        MatrixKernels.multiplyAdd(a, l.aBatch[t] * l.m * l.k, true, g, t * mn, false, full, t * kn, l.k, l.n, l.m, 1f);
      }
    }
    return sumBatches(full, l.batched(l.k, l.n), l.bFull);
  }

  /** Sums per-batch gradients over the batches an operand was broadcast along (nothing to do if none). */
  private static float[] sumBatches(float[] perBatch, int[] batchedShape, int[] operandShape) {
    return Arrays.equals(batchedShape, operandShape) ? perBatch : BroadcastPlan.sumTo(perBatch, batchedShape, operandShape);
  }
}
