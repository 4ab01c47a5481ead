package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convscope.engine.Activation;

/**
 * Max and average pooling through oneDNN, so that a pooling layer between convolutions (ResNet's stem, the
 * global average before the classifier) reads and writes held activations instead of Java arrays. The
 * primitive reads its input in the layout it comes in (a held tensor's, or row-major) and writes the same kind
 * of layout, so plans are cached by geometry and input layout. Max pooling's backward pass reads where each
 * maximum came from (a {@link Mask}), which a training step records as it pools and a saliency pass makes
 * again from the recorded input.
 */
public final class Pooling {
  private static final LeasedCache<PlanKey, Plan> PLANS = LeasedCache.ofCount(64);
  private static final LeasedCache<PlanKey, Primitive> TRAINING = LeasedCache.ofCount(64);

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

    /**
     * Average pooling over each whole plane of an input of dimensions {@code src} (N, C, 1 to 3 spatial axes),
     * as ONNX's GlobalAveragePool; null for another rank.
     */
    public static Geometry globalAverage(long[] src) {
      int rank = src.length - 2;
      if (rank < 1) return null;
      long[] kernel = Arrays.copyOfRange(src, 2, src.length);
      long[] ones = new long[rank];
      Arrays.fill(ones, 1);
      long[] pooled = src.clone();
      Arrays.fill(pooled, 2, pooled.length, 1);
      return of(Algorithm.AVERAGE_EXCLUDING_PADDING, src, pooled, kernel, ones, ones, new long[rank]);
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

  /**
   * Where each maximum of a max pooling came from, in oneDNN's form, with the layouts of the input and output;
   * made by the forward-training pass for the backward pass, which must run on the same thread.
   */
  public static final class Mask implements AutoCloseable {
    private final Geometry geometry;
    private final BlockedTensor workspace;
    private final MemoryDesc src;
    private final MemoryDesc dst;

    private Mask(Geometry geometry, BlockedTensor workspace, MemoryDesc src, MemoryDesc dst) {
      this.geometry = geometry;
      this.workspace = workspace;
      this.src = src;
      this.dst = dst;
    }

    @Override
    public void close() {
      workspace.close();
      src.close();
      dst.close();
    }
  }

  /** A training step's max pooling: the output (held or row-major values, the other null) and its mask. */
  public record TrainingForward(BlockedTensor held, float[] values, Mask mask) {}

  /**
   * Max pooling of x (held, or row-major {@code x}) by oneDNN's forward-training pass, in x's layout, recording
   * its mask; the output is left held when {@code holdOutput}. The caller owns the mask and the held output.
   */
  public static TrainingForward forwardTraining(Geometry geometry, float[] x, BlockedTensor heldX,
      boolean holdOutput) {
    if (geometry.algorithm() != Algorithm.MAX) throw new IllegalArgumentException("only max pooling keeps a mask");
    Workspace workspace = Dnnl.workspace();
    try (MemoryDesc plain = MemoryDesc.plain(geometry.src())) {
      MemoryDesc layout = heldX != null ? heldX.layout() : plain;
      PlanKey key = new PlanKey(geometry, layout.layoutKey(), null);
      try (Lease<Primitive> p = TRAINING.acquire(key, k -> trainingPrimitive(geometry, layout));
          ExecArgs args = new ExecArgs()) {
        Primitive primitive = p.get();
        MemoryDesc dst = primitive.argMd(DNNL_ARG_DST);
        MemoryDesc mask = primitive.argMd(DNNL_ARG_WORKSPACE);
        HeldOrValues.bind(workspace, args, DNNL_ARG_SRC, layout, heldX, x, "pool.src");
        NativeBuffer maskBuffer = workspace.borrow(mask.bytes());
        Plan.Chained y = null;
        try {
          args.add(DNNL_ARG_WORKSPACE, mask, maskBuffer);
          y = HeldOrValues.execute(workspace, primitive, args, DNNL_ARG_DST, dst, holdOutput, "pool.dst");
          Mask kept = new Mask(geometry, HeldOrValues.held(workspace, maskBuffer, mask), layout.copy(), dst.copy());
          maskBuffer = null;
          return new TrainingForward(y.held(), y.values()[0], kept);
        } catch (RuntimeException | Error e) {
          if (y != null && y.held() != null) y.held().close();
          throw e;
        } finally {
          if (maskBuffer != null) workspace.giveBack(maskBuffer);
        }
      }
    }
  }

  /**
   * The gradient of x from dy (held, or row-major {@code dy}) through {@code mask}, in x's layout; held when
   * {@code holdResult}, else as row-major values.
   */
  public static Plan.Chained backward(Mask mask, BlockedTensor heldDy, float[] dy, boolean holdResult) {
    Workspace workspace = Dnnl.workspace();
    PlanKey key = new PlanKey(mask.geometry, mask.src.layoutKey() + " backward", null);
    try (Lease<Primitive> p = TRAINING.acquire(key, k -> backwardPrimitive(mask));
        ExecArgs args = new ExecArgs()) {
      HeldOrValues.bind(workspace, args, DNNL_ARG_DIFF_DST, mask.dst, heldDy, dy, "pool.diff_dst");
      args.add(DNNL_ARG_WORKSPACE, mask.workspace.layout(), mask.workspace.buffer());
      return HeldOrValues.execute(workspace, p.get(), args, DNNL_ARG_DIFF_SRC, mask.src, holdResult,
          "pool.diff_src");
    }
  }

  /**
   * The gradient of x through average pooling {@code geometry} from dy (held, or row-major {@code dy}), in the
   * layout x is held in ({@code x} is read for nothing else): held when {@code holdResult}, else as row-major
   * values.
   */
  public static Plan.Chained averageBackward(Geometry geometry, BlockedTensor x, BlockedTensor heldDy, float[] dy,
      boolean holdResult) {
    if (geometry.algorithm() == Algorithm.MAX) throw new IllegalArgumentException("max pooling needs a mask");
    Workspace workspace = Dnnl.workspace();
    MemoryDesc srcLayout = x.layout();
    PlanKey key = new PlanKey(geometry, srcLayout.layoutKey() + " backward", null);
    try (Lease<Primitive> p = TRAINING.acquire(key, k -> averageBackwardPrimitive(geometry, srcLayout));
        ExecArgs args = new ExecArgs()) {
      Primitive primitive = p.get();
      HeldOrValues.bind(workspace, args, DNNL_ARG_DIFF_DST, primitive.argMd(DNNL_ARG_DIFF_DST), heldDy, dy,
          "pool.diff_dst");
      return HeldOrValues.execute(workspace, primitive, args, DNNL_ARG_DIFF_SRC, srcLayout, holdResult,
          "pool.diff_src");
    }
  }

  private static int forwardTrainingDescriptor(dnnl_primitive_desc pd, Geometry g, MemoryDesc src, MemoryDesc dst,
      dnnl_primitive_attr attr) {
    return dnnl_pooling_forward_primitive_desc_create(pd, Dnnl.engine(), dnnl_forward_training, g.algorithm().dnnl,
        src.handle(), dst.handle(), g.strides(), g.kernel(), g.dnnlDilations(), g.padBegin(), g.padEnd(), attr);
  }

  private static Primitive trainingPrimitive(Geometry g, MemoryDesc src) {
    try (MemoryDesc dst = MemoryDesc.any(g.dst())) {
      return Primitive.create(g + " training", (pd, attr) -> forwardTrainingDescriptor(pd, g, src, dst, attr));
    }
  }

  private static Primitive backwardPrimitive(Mask mask) {
    return backwardPrimitive(mask.geometry, mask.src, mask.dst);
  }

  /** dy's layout left to oneDNN: the gradient of a global average comes as a few row-major values. */
  private static Primitive averageBackwardPrimitive(Geometry g, MemoryDesc src) {
    try (MemoryDesc dst = MemoryDesc.any(g.dst())) {
      return backwardPrimitive(g, src, dst);
    }
  }

  private static Primitive backwardPrimitive(Geometry g, MemoryDesc src, MemoryDesc dst) {
    String what = g + " backward";
    return Primitive.withForwardHint(what, (pd, attr) -> forwardTrainingDescriptor(pd, g, src, dst, attr),
        hint -> Primitive.create(what, (pd, attr) -> dnnl_pooling_backward_primitive_desc_create(pd, Dnnl.engine(),
            g.algorithm().dnnl, src.handle(), dst.handle(), g.strides(), g.kernel(), g.dnnlDilations(),
            g.padBegin(), g.padEnd(), hint, attr)));
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
