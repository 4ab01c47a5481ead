package org.convscope.engine.ops;

import java.util.stream.IntStream;

/** Single-precision matrix products in plain Java, shared by MatMul and Gemm. */
final class MatrixKernels {
  /** Products with at least this many multiply-adds split their rows over the common fork-join pool. */
  private static final long PARALLEL_WORK = 1L << 22;
  /** Floats of B kept in cache while they are applied to every row of a task (256 KB). */
  private static final int B_BLOCK_FLOATS = 1 << 16;

  private MatrixKernels() {}

  /**
   * {@code c} (m x n, row-major from {@code cOff}) += alpha * op(a) * op(b), where op(a) is m x k, op(b) is
   * k x n, and a set flag means the matrix is stored transposed (a as k x m, b as n x k).
   */
  static void multiplyAdd(float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
      float[] c, int cOff, int m, int n, int k, float alpha) {
    if (m == 0 || n == 0 || k == 0) return;
    // Transposing costs O(mk) or O(kn) against the product's O(mkn), and lets one loop nest (i-k-j, whose
    // inner loop runs along rows of b and c and vectorizes) serve every case.
    float[] left = transA ? transpose(a, aOff, k, m) : a;
    int leftOff = transA ? 0 : aOff;
    float[] right = transB ? transpose(b, bOff, n, k) : b;
    int rightOff = transB ? 0 : bOff;
    boolean parallel = m > 1 && (long) m * n * k >= PARALLEL_WORK;
    int tasks = parallel ? Math.min(m, Runtime.getRuntime().availableProcessors()) : 1;
    int rowsPerTask = (m + tasks - 1) / tasks;
    IntStream range = IntStream.range(0, tasks);
    (parallel ? range.parallel() : range).forEach(t -> {
      int from = t * rowsPerTask;
      int to = Math.min(m, from + rowsPerTask);
      rows(left, leftOff, right, rightOff, c, cOff, from, to, n, k, alpha);
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

  /** The transpose (cols x rows) of the rows x cols matrix stored at {@code off}. */
  static float[] transpose(float[] m, int off, int rows, int cols) {
    float[] t = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      int row = off + r * cols;
      for (int c = 0; c < cols; c++) t[c * rows + r] = m[row + c];
    }
    return t;
  }
}
