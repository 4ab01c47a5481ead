package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;

/**
 * Layer normalization over the last dimension of a held tensor through oneDNN (Ba, Kiros and Hinton, "Layer
 * Normalization", 2016), forward and back to x, outside training: ConvNeXt normalizes its channels-last
 * activations between its depthwise convolution and its Linear layers, and the result stays held for the first
 * of them, as x's gradient does for the depthwise convolution. The statistics are float, where the Java op's are
 * double. It runs on row-major memory (a held x in another layout is reordered first), which is where oneDNN has
 * fast kernels for it. Primitives are cached by dimensions and epsilon.
 */
public final class LayerNorm {
  private static final LeasedCache<PlanKey, Primitive> PRIMITIVES = LeasedCache.ofCount(64);

  /** {@code layout}: the row-major layout's key, which names the dimensions. */
  private record PlanKey(String layout, float epsilon, Pass pass) {}

  private enum Pass { INFERENCE, STATISTICS, BACKWARD }

  /** The training forward pass that gives the statistics, and the backward pass: scaled, shift left out. */
  private static final int SCALED = dnnl_use_scale;

  private LayerNorm() {}

  /**
   * y = (x - mean) / sqrt(variance + epsilon) * scale + shift, the statistics taken over x's last dimension,
   * whose size {@code scale} and {@code shift} have; y is held row-major, and x stays open.
   */
  public static BlockedTensor forward(BlockedTensor x, float[] scale, float[] shift, float epsilon) {
    Workspace workspace = Dnnl.workspace();
    long[] dims = x.layout().dims();
    if (dims.length < 2 || dims[dims.length - 1] != scale.length || shift.length != scale.length) {
      throw new IllegalArgumentException("layer norm of " + Arrays.toString(dims) + " takes "
          + dims[dims.length - 1] + " scales and shifts, not " + scale.length + " and " + shift.length);
    }
    try (MemoryDesc layout = MemoryDesc.plain(dims);
        Lease<Primitive> p = PRIMITIVES.acquire(new PlanKey(layout.layoutKey(), epsilon, Pass.INFERENCE),
            k -> primitive(layout, epsilon));
        ExecArgs args = new ExecArgs()) {
      Primitive primitive = p.get();
      HeldOrValues.bind(workspace, args, DNNL_ARG_SRC, layout, x, null, "ln.src");
      HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_SCALE, scale, "ln.scale");
      HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_SHIFT, shift, "ln.shift");
      return HeldOrValues.execute(workspace, primitive, args, DNNL_ARG_DST, layout, true, "ln.dst").held();
    }
  }

  /**
   * The gradient with respect to x of {@link #forward}, from dy (held, or row-major values; the other is null),
   * held row-major. oneDNN's backward pass needs the rows' statistics, which the forward pass did not keep: a
   * training forward pass computes them again first. It also computes the scale's gradient (oneDNN has no pass
   * to x alone with a scale), which is dropped. All given stays open.
   */
  public static BlockedTensor backward(BlockedTensor x, BlockedTensor heldDy, float[] dy, float[] scale,
      float epsilon) {
    Workspace workspace = Dnnl.workspace();
    long[] dims = x.layout().dims();
    if (dims.length < 2 || dims[dims.length - 1] != scale.length) {
      throw new IllegalArgumentException("layer norm of " + Arrays.toString(dims) + " takes "
          + dims[dims.length - 1] + " scales, not " + scale.length);
    }
    try (MemoryDesc layout = MemoryDesc.plain(dims);
        Lease<Primitive> statistics = PRIMITIVES.acquire(new PlanKey(layout.layoutKey(), epsilon, Pass.STATISTICS),
            k -> statisticsPrimitive(layout, epsilon));
        Lease<Primitive> p = PRIMITIVES.acquire(new PlanKey(layout.layoutKey(), epsilon, Pass.BACKWARD),
            k -> backwardPrimitive(layout, epsilon));
        ExecArgs forward = new ExecArgs();
        ExecArgs args = new ExecArgs()) {
      // x is read by both passes: converted at most once.
      NativeBuffer src = HeldOrValues.staged(workspace, layout, x, null, "ln.src");
      Primitive stats = statistics.get();
      forward.add(DNNL_ARG_SRC, layout, src);
      HeldOrValues.bindValues(workspace, forward, stats, DNNL_ARG_SCALE, scale, "ln.scale");
      NativeBuffer mean = HeldOrValues.bindOutput(workspace, forward, stats, DNNL_ARG_MEAN, "ln.mean");
      NativeBuffer variance = HeldOrValues.bindOutput(workspace, forward, stats, DNNL_ARG_VARIANCE, "ln.variance");
      HeldOrValues.bindOutput(workspace, forward, stats, DNNL_ARG_DST, "ln.scratch");
      workspace.execute(stats, forward);

      Primitive primitive = p.get();
      args.add(DNNL_ARG_SRC, layout, src);
      HeldOrValues.bind(workspace, args, DNNL_ARG_DIFF_DST, layout, heldDy, dy, "ln.diff_dst");
      args.add(DNNL_ARG_MEAN, primitive.argMd(DNNL_ARG_MEAN), mean);
      args.add(DNNL_ARG_VARIANCE, primitive.argMd(DNNL_ARG_VARIANCE), variance);
      HeldOrValues.bindValues(workspace, args, primitive, DNNL_ARG_SCALE, scale, "ln.scale");
      // Computed and dropped: oneDNN has no backward pass to x alone with a scale.
      HeldOrValues.bindOutput(workspace, args, primitive, DNNL_ARG_DIFF_SCALE, "ln.diff_scale");
      return HeldOrValues.execute(workspace, primitive, args, DNNL_ARG_DIFF_SRC, layout, true, "ln.diff_src").held();
    }
  }

  /** The training forward pass, for its statistics; also the backward pass's hint. */
  private static Primitive.DescriptorFactory training(MemoryDesc layout, float epsilon) {
    return (pd, attr) -> dnnl_layer_normalization_forward_primitive_desc_create(pd, Dnnl.engine(),
        dnnl_forward_training, layout.handle(), layout.handle(), null, epsilon, SCALED, attr);
  }

  private static Primitive statisticsPrimitive(MemoryDesc layout, float epsilon) {
    return Primitive.create("layer normalization statistics " + layout.layoutKey(), training(layout, epsilon));
  }

  private static Primitive backwardPrimitive(MemoryDesc layout, float epsilon) {
    String what = "layer normalization backward " + layout.layoutKey();
    return Primitive.withForwardHint(what, training(layout, epsilon),
        hint -> Primitive.create(what, (pd, attr) -> dnnl_layer_normalization_backward_primitive_desc_create(pd,
            Dnnl.engine(), dnnl_backward, layout.handle(), layout.handle(), layout.handle(), null, epsilon, SCALED,
            hint, attr)));
  }

  private static Primitive primitive(MemoryDesc layout, float epsilon) {
    String what = "layer normalization " + layout.layoutKey();
    return Primitive.create(what, (pd, attr) -> dnnl_layer_normalization_forward_primitive_desc_create(pd,
        Dnnl.engine(), dnnl_forward_inference, layout.handle(), layout.handle(), null, epsilon,
        dnnl_use_scale | dnnl_use_shift, attr));
  }
}
