package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import org.convscope.engine.Activation;
import org.convscope.tensor.Tensor;

/**
 * Batched matrix products through oneDNN's matmul primitive, on row-major Java arrays: for every batch index t,
 * {@code c[t] = op(a[t]) * op(b[t])}, where op(x) is x or, for an operand stored transposed, its transpose (read
 * through strides, never copied). Batch dimensions of size 1 broadcast, as in numpy. A {@link Plan} is made once
 * per shape and kept in a bounded cache shared by all threads. a and c are only copied to and from native memory,
 * and so is b unless it may be a layer's weight; a weight is kept in the layout oneDNN chooses for it, reordered
 * once per tensor version by the {@link WeightCache}.
 */
public final class MatrixProduct {
  /** oneDNN's limit on a tensor's rank (DNNL_MAX_NDIMS): two matrix dimensions and up to ten batch ones. */
  public static final int MAX_RANK = 12;

  private static final LeasedCache<Key, Plan> PLANS = LeasedCache.ofCount(256);
  private static final LeasedCache<LinearKey, Plan> LINEAR_PLANS = LeasedCache.ofCount(64);
  /** Every b passed as a tensor so far, by identity and held weakly (see {@link #repeated}). */
  private static final Set<Tensor> SEEN = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

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

  /** How a plan takes b. */
  private enum B {
    /** Copied row-major, as oneDNN then reads it. */
    ROW_MAJOR,
    /** Reordered by each execution into the layout oneDNN chose for it. */
    REORDERED,
    /**
     * From the {@link WeightCache}, in the same layout as REORDERED: the same primitive, so a weight's first
     * product, before it is known to be a weight, rounds exactly as the later ones.
     */
    CACHED
  }

  private record Key(Shape shape, B b) {}

  private MatrixProduct() {}

  /**
   * The product's values, row-major in {@link Shape#result()}: written into {@code into} (of that size) unless it
   * is null, and returned.
   */
  public static float[] multiply(Shape shape, float[] a, float[] b, float[] into) {
    return multiply(new Key(shape, B.ROW_MAJOR), a, b, into);
  }

  /**
   * The same for a b that may be a layer's weight (a Linear layer's, one matrix for all of a's rows). A b seen
   * here before is taken for one and comes from the {@link WeightCache}, already in the layout oneDNN chose for
   * it: ConvNeXt's 49 x 768 x 3072 products took half the time they took with a row-major b, which oneDNN repacks
   * on every execution. A b seen for the first time is reordered into that layout by the execution, which costs
   * more than a row-major copy (an activation pays that every time), so that the product rounds as it will later.
   */
  public static float[] multiply(Shape shape, float[] a, Tensor b, float[] into) {
    if (!repeated(b)) return multiply(new Key(shape, B.REORDERED), a, b.data(), into);
    try (Lease<Plan> plan = PLANS.acquire(new Key(shape, B.CACHED), MatrixProduct::plan)) {
      return plan.get().runHeld(Dnnl.workspace(), b, null, null, false, into, a).values()[0];
    }
  }

  private static float[] multiply(Key key, float[] a, float[] b, float[] into) {
    try (Lease<Plan> plan = PLANS.acquire(key, MatrixProduct::plan)) {
      return plan.get().runHeld(Dnnl.workspace(), null, null, null, false, into, a, b).values()[0];
    }
  }

  /** A Linear layer's shapes: [m, k] x [k, n] + bias [n], then the activation (null for none). */
  private record LinearKey(long m, long k, long n, Activation activation) {}

  /**
   * A Linear layer, {@code activation(a * weight + bias)} for row-major a [m, k], weight [k, n] (a parameter,
   * from the {@link WeightCache}) and bias [n]: one oneDNN matmul adds the bias and applies the activation as it
   * writes (its bias argument and an eltwise post-op), where a MatMul, an Add and the activation's ops would
   * each pass over the [m, n] result. The result is written into {@code into} (of size m * n) unless it is
   * null, and returned.
   */
  public static float[] linear(float[] a, Tensor weight, float[] bias, Activation activation, int m, int k, int n,
      float[] into) {
    LinearKey key = new LinearKey(m, k, n, activation);
    try (Lease<Plan> plan = LINEAR_PLANS.acquire(key, MatrixProduct::linearPlan)) {
      return plan.get().runHeld(Dnnl.workspace(), weight, null, null, false, into, a, bias).values()[0];
    }
  }

  /**
   * {@link #linear} on a held a, read as [m, k] (reordered first unless it is row-major), the result left held,
   * row-major [m, n]; a stays open.
   */
  public static BlockedTensor linear(BlockedTensor a, Tensor weight, float[] bias, Activation activation, int m,
      int k, int n) {
    LinearKey key = new LinearKey(m, k, n, activation);
    try (Lease<Plan> plan = LINEAR_PLANS.acquire(key, MatrixProduct::linearPlan)) {
      return plan.get().runHeld(Dnnl.workspace(), weight, new BlockedTensor[] {a}, null, true, null, null, bias)
          .held();
    }
  }

  /**
   * {@code a * op(weight)} for a held a of {@link Shape#a()}'s dims, weight a parameter (from the
   * {@link WeightCache}, read transposed when {@code shape.transB()}), the result left held, row-major; a stays
   * open. A Linear layer's backward pass multiplies its output's gradient by the weight transposed so.
   */
  public static BlockedTensor multiply(Shape shape, BlockedTensor a, Tensor weight) {
    try (Lease<Plan> plan = PLANS.acquire(new Key(shape, B.CACHED), MatrixProduct::plan)) {
      return plan.get().runHeld(Dnnl.workspace(), weight, new BlockedTensor[] {a}, null, true, null, (float[]) null)
          .held();
    }
  }

  private static Plan linearPlan(LinearKey key) {
    String what = "linear [" + key.m() + ", " + key.k() + "] x [" + key.k() + ", " + key.n() + "] + bias"
        + (key.activation() == null ? "" : " with " + key.activation());
    Primitive primitive;
    try (MemoryDesc a = MemoryDesc.plain(key.m(), key.k());
        MemoryDesc weight = MemoryDesc.any(key.k(), key.n());
        MemoryDesc bias = MemoryDesc.plain(1, key.n());
        MemoryDesc c = MemoryDesc.plain(key.m(), key.n())) {
      primitive = Primitive.create(what, false, key.activation(), (pd, attr) -> dnnl_matmul_primitive_desc_create(pd,
          Dnnl.engine(), a.handle(), weight.handle(), bias.handle(), c.handle(), attr));
    }
    return Plan.builder(primitive)
        .input(DNNL_ARG_SRC, MemoryDesc.plain(key.m(), key.k()))
        .weights(DNNL_ARG_WEIGHTS, MemoryDesc.plain(key.k(), key.n()))
        .input(DNNL_ARG_BIAS, MemoryDesc.plain(1, key.n()))
        .output(DNNL_ARG_DST, MemoryDesc.plain(key.m(), key.n()))
        .build();
  }

  /** Whether {@code b} has been multiplied by before in this process (a parameter, not a fresh activation). */
  private static boolean repeated(Tensor b) {
    return !SEEN.add(b);
  }

  /** oneDNN's name for the implementation that runs {@code shape} with a row-major b, e.g. "brg_matmul:avx2". */
  public static String implementation(Shape shape) {
    try (Lease<Plan> plan = PLANS.acquire(new Key(shape, B.ROW_MAJOR), MatrixProduct::plan)) {
      return plan.get().implementation();
    }
  }

  private static Plan plan(Key key) {
    Shape s = key.shape();
    Primitive primitive;
    try (MemoryDesc a = layout(s.a(), s.transA());
        MemoryDesc b = key.b() == B.ROW_MAJOR ? layout(s.b(), s.transB()) : MemoryDesc.any(s.b());
        MemoryDesc c = MemoryDesc.plain(s.result())) {
      primitive = Primitive.create(s.toString(), (pd, attr) ->
          dnnl_matmul_primitive_desc_create(pd, Dnnl.engine(), a.handle(), b.handle(), null, c.handle(), attr));
    }
    Plan.Builder plan = Plan.builder(primitive).input(DNNL_ARG_SRC, layout(s.a(), s.transA()));
    if (key.b() == B.CACHED) {
      plan.weights(DNNL_ARG_WEIGHTS, layout(s.b(), s.transB()));
    } else {
      plan.input(DNNL_ARG_WEIGHTS, layout(s.b(), s.transB()));
    }
    return plan.output(DNNL_ARG_DST, MemoryDesc.plain(s.result())).build();
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
