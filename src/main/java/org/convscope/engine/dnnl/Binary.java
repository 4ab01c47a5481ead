package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;

/**
 * A held activation multiplied by one factor per channel through oneDNN's binary primitive, for runs that record
 * nothing: the scaling of a squeeze-and-excitation block, so that its result stays held for the convolution
 * after it instead of being converted to a Java array, multiplied in Java and converted back. The primitive reads
 * and writes the held tensor's layout; plans are cached by that layout and the factors' dimensions.
 */
public final class Binary {
  private static final LeasedCache<PlanKey, Plan> PLANS = LeasedCache.ofCount(256);

  /** {@code layout}: the held tensor's {@link MemoryDesc#layoutKey()}, which includes its dimensions. */
  private record PlanKey(String layout, String scaleDims) {}

  private Binary() {}

  /**
   * x times {@code scale}, row-major with dimensions {@code scaleDims}: 1 or x's along the batch and channel
   * axes, 1 along the others. Returns the product held in x's layout; x stays open.
   */
  static BlockedTensor timesPerChannel(BlockedTensor x, float[] scale, long[] scaleDims) {
    MemoryDesc layout = x.layout();
    PlanKey key = new PlanKey(layout.layoutKey(), Arrays.toString(scaleDims));
    try (Lease<Plan> plan = PLANS.acquire(key, k -> plan(layout, scaleDims))) {
      return plan.get().runHeld(Dnnl.workspace(), null, new BlockedTensor[] {x, null}, null, true, null, null, scale)
          .held();
    }
  }

  private static Plan plan(MemoryDesc layout, long[] scaleDims) {
    long[] dims = layout.dims();
    Primitive primitive;
    // oneDNN's jit kernel wants the factors blocked as x is; with row-major factors it falls back to its reference
    // kernel, which took 15 ms for EfficientNet-B0's first block.
    try (MemoryDesc scale = layout.channelBlockedBy8() ? MemoryDesc.tagged(dnnl_aBcd8b, scaleDims)
        : MemoryDesc.plain(scaleDims)) {
      primitive = Primitive.create("binary mul " + Arrays.toString(dims) + " by " + Arrays.toString(scaleDims),
          (pd, attr) -> dnnl_binary_primitive_desc_create(pd, Dnnl.engine(), dnnl_binary_mul, layout.handle(),
              scale.handle(), layout.handle(), attr));
    }
    return Plan.builder(primitive)
        .input(DNNL_ARG_SRC_0, MemoryDesc.plain(dims))
        .input(DNNL_ARG_SRC_1, MemoryDesc.plain(scaleDims))
        .output(DNNL_ARG_DST, MemoryDesc.plain(dims))
        .build();
  }
}
