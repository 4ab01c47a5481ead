package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;

/**
 * Batched matrix products through oneDNN's matmul primitive, on row-major Java arrays: for every batch index t,
 * {@code c[t] = op(a[t]) * op(b[t])}, where op(x) is x or, for an operand stored transposed, its transpose (read
 * through strides, never copied). Batch dimensions of size 1 broadcast, as in numpy. A {@link Plan} is made once
 * per shape and kept in a bounded cache shared by all threads; every layout is row-major (or its transposed
 * view), so nothing is reordered, only copied to and from native memory.
 */
public final class MatrixProduct {
  /** oneDNN's limit on a tensor's rank (DNNL_MAX_NDIMS): two matrix dimensions and up to ten batch ones. */
  public static final int MAX_RANK = 12;

  private static final LeasedCache<Shape, Plan> PLANS = LeasedCache.ofCount(256);

  /**
   * One product's shapes. {@code a} holds op(a)'s dims (batch..., m, k) and {@code b} op(b)'s (batch..., k, n),
   * of equal rank; {@code transA} / {@code transB}: the array holds the operand with its last two dims swapped.
   */
  public record Shape(long[] a, boolean transA, long[] b, boolean transB) {
    public Shape {
      a = a.clone();
      b = b.clone();
      int r = a.length;
      if (r < 2 || r > MAX_RANK || b.length != r || a[r - 1] != b[r - 2]) {
        throw new IllegalArgumentException("cannot multiply " + Arrays.toString(a) + " by " + Arrays.toString(b));
      }
      for (int i = 0; i < r - 2; i++) {
        if (a[i] != b[i] && a[i] != 1 && b[i] != 1) {
          throw new IllegalArgumentException("batch dims of " + Arrays.toString(a) + " and " + Arrays.toString(b)
              + " do not broadcast");
        }
      }
    }

    /** The result's dims: the broadcast batch dims, then m and n. */
    public long[] result() {
      int r = a.length;
      long[] c = new long[r];
      for (int i = 0; i < r - 2; i++) c[i] = Math.max(a[i], b[i]);
      c[r - 2] = a[r - 2];
      c[r - 1] = b[r - 1];
      return c;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Shape s && transA == s.transA && transB == s.transB && Arrays.equals(a, s.a)
          && Arrays.equals(b, s.b);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * Arrays.hashCode(a) + Arrays.hashCode(b)) + (transA ? 2 : 0) + (transB ? 1 : 0);
    }

    @Override
    public String toString() {
      return "matmul " + Arrays.toString(a) + (transA ? "(stored transposed)" : "") + " x " + Arrays.toString(b)
          + (transB ? "(stored transposed)" : "");
    }
  }

  private MatrixProduct() {}

  /**
   * The product's values, row-major in {@link Shape#result()}: written into {@code into} (of that size) unless it
   * is null, and returned.
   */
  public static float[] multiply(Shape shape, float[] a, float[] b, float[] into) {
    try (Lease<Plan> plan = PLANS.acquire(shape, MatrixProduct::plan)) {
      return plan.get().runHeld(Dnnl.workspace(), null, null, null, false, into, a, b).values()[0];
    }
  }

  /** oneDNN's name for the implementation that runs {@code shape}, e.g. "brg_matmul:avx2". */
  public static String implementation(Shape shape) {
    try (Lease<Plan> plan = PLANS.acquire(shape, MatrixProduct::plan)) {
      return plan.get().implementation();
    }
  }

  /** Frees every cached primitive not in use (those in use when their users finish). */
  public static void clearCache() {
    PLANS.clear();
  }

  /** Every layout follows from the shape, which is therefore the cache key. */
  private static Plan plan(Shape s) {
    Primitive primitive;
    try (MemoryDesc a = layout(s.a(), s.transA()); MemoryDesc b = layout(s.b(), s.transB());
        MemoryDesc c = MemoryDesc.plain(s.result())) {
      primitive = Primitive.create(s.toString(), (pd, attr) ->
          dnnl_matmul_primitive_desc_create(pd, Dnnl.engine(), a.handle(), b.handle(), null, c.handle(), attr));
    }
    return Plan.builder(primitive)
        .input(DNNL_ARG_SRC, layout(s.a(), s.transA()))
        .input(DNNL_ARG_WEIGHTS, layout(s.b(), s.transB()))
        .output(DNNL_ARG_DST, MemoryDesc.plain(s.result()))
        .build();
  }

  /** Row-major {@code dims}, or, when {@code transposed}, a row-major array of the transpose read with swapped strides. */
  private static MemoryDesc layout(long[] dims, boolean transposed) {
    if (!transposed) return MemoryDesc.plain(dims);
    int r = dims.length;
    long[] stored = dims.clone();
    stored[r - 2] = dims[r - 1];
    stored[r - 1] = dims[r - 2];
    long[] strides = MemoryDesc.rowMajorStrides(stored);
    long last = strides[r - 1];
    strides[r - 1] = strides[r - 2];
    strides[r - 2] = last;
    return MemoryDesc.strided(dims, strides);
  }
}
