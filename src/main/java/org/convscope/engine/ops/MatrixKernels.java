package org.convscope.engine.ops;

import java.util.stream.IntStream;
import org.convscope.engine.Parallel;
import org.convscope.engine.dnnl.MatrixProduct;
import org.convscope.tensor.Tensor;

/**
 * Single-precision matrix products for MatMul and Gemm: oneDNN's for all but small ones, which run here in plain
 * Java.
 */
final class MatrixKernels {
  /**
   * Below this many multiply-adds a product runs in Java: a oneDNN execution costs 5 to 15 us of calls and copies
   * whatever its size. Measured here: 1 x 64 x 64 took 3-6 us in Java and 13 us on oneDNN, 8 x 32 x 32 7-20 us
   * and 5-11 us.
   */
  static final long DNNL_MIN_MULTIPLY_ADDS = 1L << 13;
  /** Products with at least this many multiply-adds split their rows over the common fork-join pool. */
  private static final long PARALLEL_WORK = 1L << 22;
  /**
   * Products with fewer rows than cores and at least this many multiply-adds split B's rows instead (B stored
   * transposed): a 1280 x 1000 classifier at batch 1 takes most of a millisecond on one core.
   */
  private static final long COLUMN_PARALLEL_WORK = 1L << 18;
  /** Floats of B kept in cache while they are applied to every row of a task (256 KB). */
  private static final int B_BLOCK_FLOATS = 1 << 16;
  /** Side of the square tiles a transpose copies, so both source and target lines stay in cache. */
  private static final int TRANSPOSE_TILE = 32;

  private MatrixKernels() {}

  /** Whether a product of this many multiply-adds runs on oneDNN. */
  static boolean byDnnl(long multiplyAdds) {
    return multiplyAdds >= DNNL_MIN_MULTIPLY_ADDS;
  }

  /**
   * op(a) * op(b) as a new m x n row-major array, where op(a) is m x k, op(b) is k x n, and a set flag means the
   * matrix is stored transposed (a as k x m, b as n x k).
   */
  static float[] product(float[] a, boolean transA, float[] b, boolean transB, int m, int n, int k) {
    if (byDnnl((long) m * n * k)) return MatrixProduct.multiply(shape(transA, transB, m, n, k), a, b, null);
    float[] c = new float[m * n];
    multiplyAdd(a, 0, transA, b, 0, transB, c, 0, m, n, k, 1f);
    return c;
  }

  /** The same where b may be a layer's weight, which oneDNN then keeps in its own layout. */
  static float[] product(float[] a, boolean transA, Tensor b, boolean transB, int m, int n, int k) {
    if (byDnnl((long) m * n * k)) return MatrixProduct.multiply(shape(transA, transB, m, n, k), a, b, null);
    return product(a, transA, b.data(), transB, m, n, k);
  }

  private static MatrixProduct.Shape shape(boolean transA, boolean transB, int m, int n, int k) {
    return new MatrixProduct.Shape(new long[] {m, k}, transA, new long[] {k, n}, transB);
  }

  /**
   * {@code c} (m x n, row-major from {@code cOff}) += alpha * op(a) * op(b), where op(a) is m x k, op(b) is
   * k x n, and a set flag means the matrix is stored transposed (a as k x m, b as n x k).
   */
  static void multiplyAdd(float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
      float[] c, int cOff, int m, int n, int k, float alpha) {
    if (m == 0 || n == 0 || k == 0) return;
    // A stored transposed is copied, O(mk) against the product's O(mkn). B stored transposed (PyTorch's
    // Linear weight, n x k) is the common case and large, so it gets its own loop over dot products.
    float[] left = transA ? transpose(a, aOff, k, m) : a;
    int leftOff = transA ? 0 : aOff;
    int cores = Runtime.getRuntime().availableProcessors();
    if (transB && m < cores && (long) m * n * k >= COLUMN_PARALLEL_WORK) {
      // Too few rows to share out (a classifier at batch 1): each task takes a range of B's rows instead,
      // reading its share of B, the larger matrix. Every entry is the same dot product whatever the split.
      Parallel.forRange(n, 1, (from, to) -> dotRows(left, leftOff, b, bOff, c, cOff, 0, m, from, to, n, k, alpha));
      return;
    }
    boolean parallel = m > 1 && (long) m * n * k >= PARALLEL_WORK;
    int tasks = parallel ? Math.min(m, cores) : 1;
    int rowsPerTask = (m + tasks - 1) / tasks;
    IntStream range = IntStream.range(0, tasks);
    (parallel ? range.parallel() : range).forEach(t -> {
      int from = t * rowsPerTask;
      int to = Math.min(m, from + rowsPerTask);
      if (transB) {
        dotRows(left, leftOff, b, bOff, c, cOff, from, to, 0, n, n, k, alpha);
      } else {
        rows(left, leftOff, b, bOff, c, cOff, from, to, n, k, alpha);
      }
    });
  }

  /** Rows {@code from} to {@code to} of the product, a block of b's rows at a time so they stay in cache. */
  private static void rows(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int from, int to,
      int n, int k, float alpha) {
    int block = Math.max(1, B_BLOCK_FLOATS / n);
    for (int p0 = 0; p0 < k; p0 += block) {
      int p1 = Math.min(k, p0 + block);
      for (int i = from; i < to; i++) {
        int aRow = aOff + i * k;
        int cRow = cOff + i * n;
        for (int p = p0; p < p1; p++) {
          float av = alpha * a[aRow + p];
          int bRow = bOff + p * n;
          for (int j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j];
        }
      }
    }
  }

  /**
   * Rows {@code from} to {@code to}, columns {@code colFrom} to {@code colTo}, of the product with b stored
   * n x k: each entry is a dot product of two contiguous rows. Each row of b is used for all rows of the task
   * while it is in cache; four partial sums let the multiply-adds overlap.
   */
  private static void dotRows(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int from, int to,
      int colFrom, int colTo, int n, int k, float alpha) {
    int k4 = k & ~3;
    for (int j = colFrom; j < colTo; j++) {
      int bRow = bOff + j * k;
      for (int i = from; i < to; i++) {
        int aRow = aOff + i * k;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int p = 0;
        for (; p < k4; p += 4) {
          s0 += a[aRow + p] * b[bRow + p];
          s1 += a[aRow + p + 1] * b[bRow + p + 1];
          s2 += a[aRow + p + 2] * b[bRow + p + 2];
          s3 += a[aRow + p + 3] * b[bRow + p + 3];
        }
        for (; p < k; p++) s0 += a[aRow + p] * b[bRow + p];
        c[cOff + i * n + j] += alpha * ((s0 + s1) + (s2 + s3));
      }
    }
  }

  /** The transpose (cols x rows) of the rows x cols matrix stored at {@code off}, in tiles that fit in cache. */
  static float[] transpose(float[] m, int off, int rows, int cols) {
    float[] t = new float[rows * cols];
    for (int r0 = 0; r0 < rows; r0 += TRANSPOSE_TILE) {
      int r1 = Math.min(rows, r0 + TRANSPOSE_TILE);
      for (int c0 = 0; c0 < cols; c0 += TRANSPOSE_TILE) {
        int c1 = Math.min(cols, c0 + TRANSPOSE_TILE);
        for (int r = r0; r < r1; r++) {
          int row = off + r * cols;
          for (int c = c0; c < c1; c++) t[c * rows + r] = m[row + c];
        }
      }
    }
    return t;
  }
}
