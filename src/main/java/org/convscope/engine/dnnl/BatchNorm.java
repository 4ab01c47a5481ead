package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Batch normalization of a training step through oneDNN, on batch statistics (Ioffe and Szegedy, "Batch
 * Normalization", ICML 2015), in the layout the input comes in: a convolution's channel-blocked output is
 * normalized where it lies, and the next convolution reads the result as it is. The forward pass can apply a
 * ReLU as it writes. Its backward pass takes the gradient after that ReLU's own backward pass (which needs
 * only the output), so it keeps no mask. Outside training, {@link #forwardInference} normalizes with given
 * (running) statistics the same way. Primitives are cached by layout, epsilon and pass.
 */
public final class BatchNorm {
  private static final LeasedCache<PlanKey, Primitive> PRIMITIVES = LeasedCache.ofCount(128);
  private static final int FLAGS = dnnl_use_scale | dnnl_use_shift;

  /** {@code inference}: with given statistics ({@link #forwardInference}). */
  private record PlanKey(String layout, float epsilon, boolean relu, boolean backward, boolean inference) {}

  private BatchNorm() {}

  /** The output (held or row-major values, the other null) and the batch's mean and population variance. */
  public record Forward(BlockedTensor held, float[] values, float[] mean, float[] variance) {}

  /** The input's gradient (held or row-major values, the other null) and the scale's and shift's. */
  public record Backward(BlockedTensor held, float[] values, float[] scaleGradient, float[] shiftGradient) {}

  /**
   * y = (x - mean) / sqrt(variance + epsilon) * scale + shift per channel, with the batch's statistics; then
   * max(y, 0) when {@code relu}. x of dimensions {@code dims} comes held or as row-major values; y is written
   * in x's layout, and left held when {@code holdOutput}.
   */
  public static Forward forwardTraining(long[] dims, BlockedTensor heldX, float[] x, float[] scale, float[] shift,
      float epsilon, boolean relu, boolean holdOutput) {
    Workspace workspace = Dnnl.workspace();
    try (MemoryDesc plain = MemoryDesc.plain(dims)) {
      MemoryDesc layout = heldX != null ? heldX.layout() : plain;
      PlanKey key = new PlanKey(layout.layoutKey(), epsilon, relu, false, false);
      try (Lease<Primitive> p = PRIMITIVES.acquire(key, k -> forwardPrimitive(layout, epsilon, relu));
          ExecArgs args = new ExecArgs()) {
        Primitive primitive = p.get();
        int channels = Math.toIntExact(dims[1]);
        HeldOrValues.bind(workspace, args, DNNL_ARG_SRC, layout, heldX, x, "bn.src");
        HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_SCALE, scale, "bn.scale");
        HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_SHIFT, shift, "bn.shift");
        NativeBuffer mean = HeldOrValues.bindOutput(workspace, args, primitive, DNNL_ARG_MEAN, "bn.mean");
        NativeBuffer variance =
            HeldOrValues.bindOutput(workspace, args, primitive, DNNL_ARG_VARIANCE, "bn.variance");
        // The ReLU's mask: written because training asks for it, never read (see the class comment).
        if (relu) HeldOrValues.bindOutput(workspace, args, primitive, DNNL_ARG_WORKSPACE, "bn.workspace");
        Plan.Chained y = HeldOrValues.execute(workspace, primitive, args, DNNL_ARG_DST, layout, holdOutput, "bn.dst");
        float[] meanValues = new float[channels];
        float[] varianceValues = new float[channels];
        mean.read(meanValues);
        variance.read(varianceValues);
        return new Forward(y.held(), y.values()[0], meanValues, varianceValues);
      }
    }
  }

  /**
   * y = (x - mean) / sqrt(variance + epsilon) * scale + shift per channel with the given (running) statistics,
   * then max(y, 0) when {@code relu}: inference outside a training step, in x's layout. x comes held or as
   * row-major values; y is left held when {@code holdOutput}. DenseNet normalizes each layer's concatenated
   * input so, before its first convolution.
   */
  public static Plan.Chained forwardInference(long[] dims, BlockedTensor heldX, float[] x, float[] scale,
      float[] shift, float[] mean, float[] variance, float epsilon, boolean relu, boolean holdOutput) {
    Workspace workspace = Dnnl.workspace();
    try (MemoryDesc plain = MemoryDesc.plain(dims)) {
      MemoryDesc layout = heldX != null ? heldX.layout() : plain;
      PlanKey key = new PlanKey(layout.layoutKey(), epsilon, relu, false, true);
      try (Lease<Primitive> p = PRIMITIVES.acquire(key, k -> inferencePrimitive(layout, epsilon, relu));
          ExecArgs args = new ExecArgs()) {
        Primitive primitive = p.get();
        HeldOrValues.bind(workspace, args, DNNL_ARG_SRC, layout, heldX, x, "bn.src");
        HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_SCALE, scale, "bn.scale");
        HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_SHIFT, shift, "bn.shift");
        HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_MEAN, mean, "bn.mean");
        HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_VARIANCE, variance, "bn.variance");
        return HeldOrValues.execute(workspace, primitive, args, DNNL_ARG_DST, layout, holdOutput, "bn.dst");
      }
    }
  }

  /**
   * The gradients of the forward pass without its ReLU, from dy, the gradient of its output (before that ReLU),
   * held or row-major: dx in x's layout (held when {@code holdResult}), and the scale's and shift's.
   */
  public static Backward backward(long[] dims, BlockedTensor heldX, float[] x, BlockedTensor heldDy, float[] dy,
      float[] mean, float[] variance, float[] scale, float epsilon, boolean holdResult) {
    Workspace workspace = Dnnl.workspace();
    try (MemoryDesc plain = MemoryDesc.plain(dims)) {
      MemoryDesc layout = heldX != null ? heldX.layout() : plain;
      PlanKey key = new PlanKey(layout.layoutKey(), epsilon, false, true, false);
      try (Lease<Primitive> p = PRIMITIVES.acquire(key, k -> backwardPrimitive(layout, epsilon));
          ExecArgs args = new ExecArgs()) {
        Primitive primitive = p.get();
        int channels = Math.toIntExact(dims[1]);
        HeldOrValues.bind(workspace, args, DNNL_ARG_SRC, layout, heldX, x, "bn.src");
        HeldOrValues.bind(workspace, args, DNNL_ARG_DIFF_DST, layout, heldDy, dy, "bn.diff_dst");
        HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_MEAN, mean, "bn.mean");
        HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_VARIANCE, variance, "bn.variance");
        HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_SCALE, scale, "bn.scale");
        NativeBuffer dScale = HeldOrValues.bindOutput(workspace, args, primitive, DNNL_ARG_DIFF_SCALE, "bn.diff_scale");
        NativeBuffer dShift = HeldOrValues.bindOutput(workspace, args, primitive, DNNL_ARG_DIFF_SHIFT, "bn.diff_shift");
        Plan.Chained dx = HeldOrValues.execute(workspace, primitive, args, DNNL_ARG_DIFF_SRC, layout, holdResult,
            "bn.diff_src");
        float[] scaleGradient = new float[channels];
        float[] shiftGradient = new float[channels];
        dScale.read(scaleGradient);
        dShift.read(shiftGradient);
        return new Backward(dx.held(), dx.values()[0], scaleGradient, shiftGradient);
      }
    }
  }

  private static Primitive forwardPrimitive(MemoryDesc layout, float epsilon, boolean relu) {
    String what = "batch normalization training" + (relu ? " with ReLU " : " ") + layout.layoutKey();
    int flags = relu ? FLAGS | dnnl_fuse_norm_relu : FLAGS;
    return Primitive.create(what, (pd, attr) -> dnnl_batch_normalization_forward_primitive_desc_create(pd,
        Dnnl.engine(), dnnl_forward_training, layout.handle(), layout.handle(), epsilon, flags, attr));
  }

  private static Primitive inferencePrimitive(MemoryDesc layout, float epsilon, boolean relu) {
    String what = "batch normalization inference" + (relu ? " with ReLU " : " ") + layout.layoutKey();
    int flags = FLAGS | dnnl_use_global_stats | (relu ? dnnl_fuse_norm_relu : 0);
    return Primitive.create(what, (pd, attr) -> dnnl_batch_normalization_forward_primitive_desc_create(pd,
        Dnnl.engine(), dnnl_forward_inference, layout.handle(), layout.handle(), epsilon, flags, attr));
  }

  private static Primitive backwardPrimitive(MemoryDesc layout, float epsilon) {
    String what = "batch normalization backward " + layout.layoutKey();
    return Primitive.withForwardHint(what,
        (pd, attr) -> dnnl_batch_normalization_forward_primitive_desc_create(pd, Dnnl.engine(),
            dnnl_forward_training, layout.handle(), layout.handle(), epsilon, FLAGS, attr),
        hint -> Primitive.create(what, (pd, attr) -> dnnl_batch_normalization_backward_primitive_desc_create(pd,
            Dnnl.engine(), dnnl_backward, layout.handle(), layout.handle(), layout.handle(), epsilon, FLAGS, hint,
            attr)));
  }
}
