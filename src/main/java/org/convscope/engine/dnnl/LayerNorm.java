package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Layer normalization over the last dimension of a held tensor through oneDNN (Ba, Kiros and Hinton, "Layer
 * Normalization", 2016), for runs that record nothing: ConvNeXt normalizes its channels-last activations between
 * its depthwise convolution and its Linear layers, and the result stays held for the first of them. The
 * statistics are float, where the Java op's are double. It runs on row-major memory (a held x in another layout
 * is reordered first), which is where oneDNN has fast kernels for it. Primitives are cached by dimensions and
 * epsilon.
 */
public final class LayerNorm {
  private static final LeasedCache<PlanKey, Primitive> PRIMITIVES = LeasedCache.ofCount(64);

  /** {@code layout}: the row-major layout's key, which names the dimensions. */
  private record PlanKey(String layout, float epsilon) {}

  private LayerNorm() {}

  /**
   * y = (x - mean) / sqrt(variance + epsilon) * scale + shift, the statistics taken over x's last dimension,
   * whose size {@code scale} and {@code shift} have; y is held row-major, and x stays open.
   */
  public static BlockedTensor forward(BlockedTensor x, float[] scale, float[] shift, float epsilon) {
    Workspace workspace = Dnnl.workspace();
    long[] dims = x.layout().dims();
    if (dims.length < 2 || dims[dims.length - 1] != scale.length || shift.length != scale.length) {
      throw new IllegalArgumentException("layer norm of " + java.util.Arrays.toString(dims) + " takes " + dims[dims.length - 1]
          + " scales and shifts, not " + scale.length + " and " + shift.length);
    }
    try (MemoryDesc layout = MemoryDesc.plain(dims);
        Lease<Primitive> p = PRIMITIVES.acquire(new PlanKey(layout.layoutKey(), epsilon), k -> primitive(layout, epsilon));
        ExecArgs args = new ExecArgs()) {
      Primitive primitive = p.get();
      HeldOrValues.bind(workspace, args, DNNL_ARG_SRC, layout, x, null, "ln.src");
      bind(workspace, args, primitive, DNNL_ARG_SCALE, scale, "ln.scale");
      bind(workspace, args, primitive, DNNL_ARG_SHIFT, shift, "ln.shift");
      return HeldOrValues.execute(workspace, primitive, args, DNNL_ARG_DST, layout, true, "ln.dst").held();
    }
  }

  private static void bind(Workspace workspace, ExecArgs args, Primitive primitive, int arg, float[] values,
      String slot) {
    MemoryDesc md = primitive.argMd(arg);
    NativeBuffer buffer = workspace.buffer(slot, md.bytes());
    buffer.write(values);
    args.add(arg, md, buffer);
  }

  private static Primitive primitive(MemoryDesc layout, float epsilon) {
    String what = "layer normalization " + layout.layoutKey();
    return Primitive.create(what, (pd, attr) -> dnnl_layer_normalization_forward_primitive_desc_create(pd,
        Dnnl.engine(), dnnl_forward_inference, layout.handle(), layout.handle(), null, epsilon,
        dnnl_use_scale | dnnl_use_shift, attr));
  }
}
