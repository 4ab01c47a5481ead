package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.convscope.engine.HeldGradientOp;

/**
 * The backward pass of a clamp (Relu, Clip) on a held gradient, through oneDNN's eltwise primitive: the
 * gradient passes where the clamp's output lies strictly between its bounds (above 0 for Relu, +infinity
 * included) and is 0 elsewhere, NaN outputs included, as the Java ops compute it. A backward pass through a
 * chain of convolutions and clamps then stays in oneDNN's layout; the output comes as the forward run left it,
 * held or as a Java array. Plans are cached by the gradient's layout and the bounds.
 */
public final class Eltwise {
  private static final LeasedCache<PlanKey, Plan> PLANS = LeasedCache.ofCount(256);

  /** {@code layout}: the gradient's {@link MemoryDesc#layoutKey()}, which includes its dimensions. */
  private record PlanKey(String layout, float lower, float upper) {}

  private Eltwise() {}

  /**
   * dy where lower &lt; y &lt; upper and 0 elsewhere, y being the clamp's output, held or not; held when
   * {@code holdResult}. Null, having done nothing, when dy is not held: the Java op is then as fast.
   */
  public static HeldGradientOp.Value clampBackward(HeldGradientOp.Value dy, HeldGradientOp.Value y, float lower,
      float upper, boolean holdResult) {
    if (!(dy.held() instanceof BlockedTensor heldDy)) return null;
    BlockedTensor heldY = y.held() instanceof BlockedTensor b ? b : null;
    if (heldY == null && (y.held() != null || !y.tensor().isFloat())) return null;
    MemoryDesc layout = heldDy.layout();
    PlanKey key = new PlanKey(layout.layoutKey(), lower, upper);
    try (Lease<Plan> plan = PLANS.acquire(key, k -> plan(layout, lower, upper))) {
      BlockedTensor dx = plan.get().runHeld(Dnnl.workspace(), null, new BlockedTensor[] {heldDy, heldY}, null, true,
          null, null, heldY == null ? y.tensor().data() : null).held();
      return HeldGradientOp.Value.of(dx, holdResult);
    }
  }

  private static Plan plan(MemoryDesc layout, float lower, float upper) {
    // Relu's own algorithm keeps the gradient at +infinity, which clip_v2's strict upper bound would not.
    boolean relu = lower == 0 && upper == Float.POSITIVE_INFINITY;
    int algorithm = relu ? dnnl_eltwise_relu_use_dst_for_bwd : dnnl_eltwise_clip_v2_use_dst_for_bwd;
    float alpha = relu ? 0 : lower;
    float beta = relu ? 0 : upper;
    long[] dims = layout.dims();
    String what = "clamp (" + lower + ", " + upper + ") backward " + layout.layoutKey();
    Primitive primitive = Primitive.withForwardHint(what,
        (pd, attr) -> dnnl_eltwise_forward_primitive_desc_create(pd, Dnnl.engine(), dnnl_forward_training,
            algorithm, layout.handle(), layout.handle(), alpha, beta, attr),
        hint -> Primitive.create(what, (pd, attr) -> dnnl_eltwise_backward_primitive_desc_create(pd, Dnnl.engine(),
            algorithm, layout.handle(), layout.handle(), layout.handle(), alpha, beta, hint, attr)));
    return Plan.builder(primitive)
        .input(DNNL_ARG_DIFF_DST, MemoryDesc.plain(dims))
        .input(DNNL_ARG_DST, MemoryDesc.plain(dims))
        .output(DNNL_ARG_DIFF_SRC, MemoryDesc.plain(dims))
        .build();
  }
}
