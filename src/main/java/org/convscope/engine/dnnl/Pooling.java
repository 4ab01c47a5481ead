package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import org.convscope.engine.Activation;

/**
 * Max and average pooling through oneDNN, forward only: used by runs that record nothing, so that a pooling
 * layer between convolutions (ResNet's stem, the global average before the classifier) reads and writes held
 * activations instead of Java arrays. The primitive reads its input in the layout it comes in (a held tensor's,
 * or row-major) and writes the same kind of layout, so plans are cached by geometry and input layout.
 */
public final class Pooling {
  private static final LeasedCache<PlanKey, Plan> PLANS = LeasedCache.ofCount(64);

  /** oneDNN's pooling algorithms. */
  public enum Algorithm {
    MAX(dnnl_pooling_max),
    /** The divisor is the whole kernel, padding included. */
    AVERAGE_INCLUDING_PADDING(dnnl_pooling_avg_include_padding),
    /** The divisor counts only the taps inside the input. */
    AVERAGE_EXCLUDING_PADDING(dnnl_pooling_avg_exclude_padding);

    private final int dnnl;

    Algorithm(int dnnl) {
      this.dnnl = dnnl;
    }
  }

  /**
   * One pooling's sizes, resolved: input and output dims (N, C, spatial), and per spatial axis the kernel,
   * strides, dilations (ONNX's: 1 = dense) and pads. {@code padEnd} must make oneDNN's output size formula,
   * floor((in + padBegin + padEnd - extent) / stride) + 1, give the output size; see {@link #of}.
   */
  public record Geometry(Algorithm algorithm, long[] src, long[] dst, long[] kernel, long[] strides,
      long[] dilations, long[] padBegin, long[] padEnd) {

    /**
     * The geometry of a pooling whose output sizes {@code dst} were found by ONNX's rules (ceil mode, dropped
     * windows), with end pads extended or cut so that oneDNN finds the same sizes; null when oneDNN cannot
     * express it (a spatial rank other than 1 to 3, or end pads below zero).
     */
    public static Geometry of(Algorithm algorithm, long[] src, long[] dst, long[] kernel, long[] strides,
        long[] dilations, long[] padBegin) {
      int rank = kernel.length;
      if (rank < 1 || rank > 3 || src.length != rank + 2 || dst.length != rank + 2) return null;
      long[] padEnd = new long[rank];
      for (int i = 0; i < rank; i++) {
        long extent = (kernel[i] - 1) * dilations[i] + 1;
        padEnd[i] = (dst[i + 2] - 1) * strides[i] + extent - src[i + 2] - padBegin[i];
        if (padEnd[i] < 0 || padEnd[i] >= extent) return null;
      }
      return new Geometry(algorithm, src.clone(), dst.clone(), kernel.clone(), strides.clone(), dilations.clone(),
          padBegin.clone(), padEnd);
    }

    private long[] dnnlDilations() {
      long[] d = new long[dilations.length];
      for (int i = 0; i < d.length; i++) d[i] = dilations[i] - 1;
      return d;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Geometry g && algorithm == g.algorithm && Arrays.equals(src, g.src)
          && Arrays.equals(dst, g.dst) && Arrays.equals(kernel, g.kernel) && Arrays.equals(strides, g.strides)
          && Arrays.equals(dilations, g.dilations) && Arrays.equals(padBegin, g.padBegin)
          && Arrays.equals(padEnd, g.padEnd);
    }

    @Override
    public int hashCode() {
      return Arrays.deepHashCode(new Object[] {algorithm, src, dst, kernel, strides, dilations, padBegin, padEnd});
    }

    @Override
    public String toString() {
      return "pooling " + algorithm + " " + Arrays.toString(src) + " -> " + Arrays.toString(dst) + " kernel "
          + Arrays.toString(kernel) + " strides " + Arrays.toString(strides) + " dilations "
          + Arrays.toString(dilations) + " pads " + Arrays.toString(padBegin) + Arrays.toString(padEnd);
    }
  }

  /** {@code srcLayout}: the input layout's {@link MemoryDesc#layoutKey()}, or null for row-major. */
  private record PlanKey(Geometry geometry, String srcLayout, Activation activation) {}

  private Pooling() {}

  /**
   * Pools x, given as row-major values or, when {@code heldX} is not null, held; applies {@code activation} (none
   * when null) as it writes; returns the output held when {@code holdOutput}.
   */
  public static Plan.Chained forward(Geometry geometry, float[] x, BlockedTensor heldX, Activation activation,
      boolean holdOutput) {
    MemoryDesc layout = heldX == null ? null : heldX.layout();
    PlanKey key = new PlanKey(geometry, layout == null ? null : layout.layoutKey(), activation);
    try (Lease<Plan> plan = PLANS.acquire(key, k -> plan(k, layout))) {
      return plan.get().runChained(Dnnl.workspace(), null, heldX, null, holdOutput, heldX == null ? x : null);
    }
  }

  private static Plan plan(PlanKey key, MemoryDesc heldLayout) {
    Geometry g = key.geometry();
    String what = g + (key.activation() == null ? "" : " with " + key.activation());
    Primitive primitive;
    try (MemoryDesc plainSrc = MemoryDesc.plain(g.src()); MemoryDesc dst = MemoryDesc.any(g.dst())) {
      MemoryDesc src = heldLayout != null ? heldLayout : plainSrc;
      primitive = Primitive.create(what, false, key.activation(), (pd, attr) ->
          dnnl_pooling_forward_primitive_desc_create(pd, Dnnl.engine(), dnnl_forward_inference,
              g.algorithm().dnnl, src.handle(), dst.handle(), g.strides(), g.kernel(), g.dnnlDilations(),
              g.padBegin(), g.padEnd(), attr));
    }
    return Plan.builder(primitive)
        .input(DNNL_ARG_SRC, MemoryDesc.plain(g.src()))
        .output(DNNL_ARG_DST, MemoryDesc.plain(g.dst()))
        .build();
  }
}
