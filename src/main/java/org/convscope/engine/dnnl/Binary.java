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
   * x times factors with dimensions {@code scaleDims} (1 or x's along the batch and channel axes, 1 along the
   * others), row-major in {@code scale} or, when that is null, held in {@code heldScale}. Returns the product
   * held in x's layout; x and the factors stay open.
   */
  static BlockedTensor timesPerChannel(BlockedTensor x, float[] scale, BlockedTensor heldScale, long[] scaleDims) {
    MemoryDesc layout = x.layout();
    PlanKey key = new PlanKey(layout.layoutKey(), Arrays.toString(scaleDims));
    try (Lease<Plan> plan = PLANS.acquire(key, k -> plan(layout, scaleDims))) {
      BlockedTensor[] held = {x, heldScale};
      return plan.get().runHeld(Dnnl.workspace(), null, held, null, true, null, null, scale).held();
    }
  }

  private static Plan plan(MemoryDesc layout, long[] scaleDims) {
    long[] dims = layout.dims();
    String what = "binary mul " + Arrays.toString(dims) + " by " + Arrays.toString(scaleDims);
    Primitive primitive = null;
    for (int tag : scaleTags(layout, dims.length)) {
      Primitive p;
      try (MemoryDesc scale = MemoryDesc.tagged(tag, scaleDims)) {
        p = Primitive.create(what, (pd, attr) -> dnnl_binary_primitive_desc_create(pd, Dnnl.engine(),
            dnnl_binary_mul, layout.handle(), scale.handle(), layout.handle(), attr));
      } catch (DnnlException e) {
        continue;
      }
      if (primitive != null) primitive.close();
      primitive = p;
      if (!p.implementation().startsWith("ref")) break;
    }
    if (primitive == null) throw new DnnlException(what + ": no implementation");
    return Plan.builder(primitive)
        .input(DNNL_ARG_SRC_0, MemoryDesc.plain(dims))
        .input(DNNL_ARG_SRC_1, MemoryDesc.plain(scaleDims))
        .output(DNNL_ARG_DST, MemoryDesc.plain(dims))
        .build();
  }

  /**
   * The layouts to try for the factors, best guess first. oneDNN's jit kernel wants them laid out as x is: with
   * row-major factors and x blocked by 8 channels it falls back to its reference kernel, which took 15 ms for
   * EfficientNet-B0's first block. The last one tried stands if every one gets the reference kernel.
   */
  private static int[] scaleTags(MemoryDesc layout, int rank) {
    return switch (rank) {
      case 4 -> layout.channelBlockedBy8() ? new int[] {dnnl_aBcd8b, dnnl_abcd, dnnl_aBcd16b}
          : new int[] {dnnl_abcd, dnnl_aBcd16b, dnnl_aBcd8b};
      case 3 -> new int[] {dnnl_abc};
      case 5 -> new int[] {dnnl_abcde};
      default -> new int[] {dnnl_ab};
    };
  }
}
