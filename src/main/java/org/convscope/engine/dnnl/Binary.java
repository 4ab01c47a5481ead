package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;

/**
 * oneDNN's binary primitive on held tensors, so that a result stays held for the op after it instead of being
 * converted to a Java array, computed in Java and converted back:
 * <ul>
 *   <li>a held activation times one factor per channel, the scaling of a squeeze-and-excitation block;</li>
 *   <li>the sum of two held gradients of one tensor, where a backward pass meets itself again (a residual
 *       connection: the gradient through the block and the one that skipped it);</li>
 *   <li>the product of a held gradient and a held activation, which average pooling sums to the gradient of a
 *       squeeze-and-excitation block's factors.</li>
 * </ul>
 * The primitive reads and writes the first operand's layout; plans are cached by that layout, the operation and
 * the second operand's dimensions.
 */
public final class Binary {
  private static final LeasedCache<PlanKey, Plan> PLANS = LeasedCache.ofCount(256);

  /** {@code layout}: the held tensor's {@link MemoryDesc#layoutKey()}, which includes its dimensions. */
  private record PlanKey(String layout, int algorithm, String otherDims) {}

  private Binary() {}

  /**
   * x times factors with dimensions {@code scaleDims} (1 or x's along the batch and channel axes, 1 along the
   * others), row-major in {@code scale} or, when that is null, held in {@code heldScale}. Returns the product
   * held, in x's layout unless oneDNN has only its reference kernel for it ({@link Primitive#preferringJit});
   * x and the factors stay open.
   */
  static BlockedTensor timesPerChannel(BlockedTensor x, float[] scale, BlockedTensor heldScale, long[] scaleDims) {
    MemoryDesc layout = x.layout();
    PlanKey key = new PlanKey(layout.layoutKey(), dnnl_binary_mul, Arrays.toString(scaleDims));
    try (Lease<Plan> plan = PLANS.acquire(key, k -> timesPlan(layout, scaleDims))) {
      BlockedTensor[] held = {x, heldScale};
      return plan.get().runHeld(Dnnl.workspace(), null, held, null, true, null, null, scale).held();
    }
  }

  /** a + b, of equal dimensions, held in a's layout (b is reordered into it if it comes in another); both stay open. */
  static BlockedTensor add(BlockedTensor a, BlockedTensor b) {
    return elementwise(dnnl_binary_add, a, b);
  }

  /** a * b, element by element, as {@link #add} adds them. */
  static BlockedTensor times(BlockedTensor a, BlockedTensor b) {
    return elementwise(dnnl_binary_mul, a, b);
  }

  private static BlockedTensor elementwise(int algorithm, BlockedTensor a, BlockedTensor b) {
    MemoryDesc layout = a.layout();
    PlanKey key = new PlanKey(layout.layoutKey(), algorithm, "");
    try (Lease<Plan> plan = PLANS.acquire(key, k -> elementwisePlan(algorithm, layout))) {
      return plan.get().runHeld(Dnnl.workspace(), null, new BlockedTensor[] {a, b}, null, true, null, null, null)
          .held();
    }
  }

  /**
   * The product in x's layout or, where oneDNN has only its reference kernel for it, in another
   * ({@link Primitive#preferringJit}).
   */
  private static Plan timesPlan(MemoryDesc layout, long[] scaleDims) {
    long[] dims = layout.dims();
    String what = "binary mul " + Arrays.toString(dims) + " by " + Arrays.toString(scaleDims);
    return plan(Primitive.preferringJit(layout, l -> timesPrimitive(what, l, scaleDims)), dims, scaleDims);
  }

  /** x times the factors in x's layout, trying the factors' layouts of {@link #scaleTags} in turn. */
  private static Primitive timesPrimitive(String what, MemoryDesc layout, long[] scaleDims) {
    Primitive primitive = null;
    for (int tag : scaleTags(layout, scaleDims.length)) {
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
    return primitive;
  }

  private static Plan elementwisePlan(int algorithm, MemoryDesc layout) {
    long[] dims = layout.dims();
    String what = (algorithm == dnnl_binary_add ? "binary add " : "binary mul ") + layout.layoutKey();
    return plan(Primitive.preferringJit(layout, l -> Primitive.create(what, (pd, attr) ->
        dnnl_binary_primitive_desc_create(pd, Dnnl.engine(), algorithm, l.handle(), l.handle(), l.handle(), attr))),
        dims, dims);
  }

  private static Plan plan(Primitive primitive, long[] dims, long[] otherDims) {
    return Plan.builder(primitive)
        .input(DNNL_ARG_SRC_0, MemoryDesc.plain(dims))
        .input(DNNL_ARG_SRC_1, MemoryDesc.plain(otherDims))
        .output(DNNL_ARG_DST, MemoryDesc.plain(dims))
        .build();
  }

  /**
   * The layouts to try for the factors, best guess first. oneDNN's jit kernel wants them laid out as x is: with
   * row-major factors and x channel-blocked it falls back to its reference kernel, which took 15 ms for
   * EfficientNet-B0's first block. The last one tried stands if every one gets the reference kernel.
   */
  private static int[] scaleTags(MemoryDesc layout, int rank) {
    return switch (rank) {
      case 4 -> layout.channelBlockedNatively() ? new int[] {Dnnl.channelBlockedTag(), dnnl_abcd}
          : new int[] {dnnl_abcd, dnnl_aBcd16b, dnnl_aBcd8b};
      case 3 -> new int[] {dnnl_abc};
      case 5 -> new int[] {dnnl_abcde};
      default -> new int[] {dnnl_ab};
    };
  }
}
