package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.convscope.engine.Activation;
import org.convscope.engine.HeldGradientOp;

/**
 * oneDNN's eltwise primitive on held tensors, so that a chain of convolutions and element-wise functions stays
 * in oneDNN's layout:
 * <ul>
 *   <li>the backward pass of a clamp (Relu, Clip) on a held gradient: the gradient passes where the clamp's
 *       output lies strictly between its bounds (above 0 for Relu, +infinity included) and is 0 elsewhere, as the
 *       Java ops compute it, except at a NaN output of a Relu, where oneDNN's mask passes the gradient and the
 *       Java op gives 0 (a NaN activation comes only from a NaN or infinite input, which is warned about); the
 *       output comes as the forward run left it, held or as a Java array;</li>
 *   <li>an {@link Activation} of a held tensor, forward, and its backward pass from the held input: SiLU and
 *       HardSwish, which PyTorch exports as Mul(x, Sigmoid(x)) and Mul(x, HardSigmoid(x)), in a recorded run
 *       and its backward pass.</li>
 * </ul>
 * Plans are cached by the layout, the function and the pass. Where oneDNN has only its reference kernel for a
 * layout, they run in another ({@link Primitive#preferringJit}).
 */
public final class Eltwise {
  private static final LeasedCache<PlanKey, Plan> PLANS = LeasedCache.ofCount(256);

  /** A clamp's backward pass reads its output; an activation's, its input. */
  private enum Pass { FORWARD, BACKWARD_FROM_INPUT, CLAMP_BACKWARD_FROM_OUTPUT, POSITIVE_PART }

  /**
   * {@code layout}: the held operand's {@link MemoryDesc#layoutKey()}, which includes its dimensions;
   * {@code function}: the clamp's bounds ({@link Activation#clamp}) or the activation.
   */
  private record PlanKey(String layout, Activation function, Pass pass) {}

  private Eltwise() {}

  /**
   * dy where lower &lt; y &lt; upper and 0 elsewhere, y being the clamp's output, held or not; held when
   * {@code holdResult}, written over dy unless dy is shared. Null, having done nothing, when dy is not held: the
   * Java op is then as fast.
   */
  public static HeldGradientOp.Value clampBackward(HeldGradientOp.Value dy, HeldGradientOp.Value y, float lower,
      float upper, boolean holdResult) {
    if (!(dy.held() instanceof BlockedTensor heldDy)) return null;
    BlockedTensor heldY = y.held() instanceof BlockedTensor b ? b : null;
    if (heldY == null && (y.held() != null || !y.tensor().isFloat())) return null;
    MemoryDesc layout = heldDy.layout();
    PlanKey key = new PlanKey(layout.layoutKey(), Activation.clamp(lower, upper), Pass.CLAMP_BACKWARD_FROM_OUTPUT);
    try (Lease<Plan> plan = PLANS.acquire(key, k -> clampPlan(layout, lower, upper))) {
      BlockedTensor dx = plan.get().runHeld(Dnnl.workspace(), null, new BlockedTensor[] {heldDy, heldY},
          writtenOver(heldDy, plan.get()), true, null, null, heldY == null ? y.tensor().data() : null).held();
      return HeldGradientOp.Value.of(dx, holdResult);
    }
  }

  /**
   * Guided backpropagation's rule for a Relu on a held dy: dy where both y and dy are positive, else +0 (NaN
   * included), as {@code Relu.GUIDED} computes it: the clamp's gradient, then its positive part. Null, having done
   * nothing, where {@link #clampBackward} declines; dy is written over unless it is shared.
   */
  public static HeldGradientOp.Value guidedReluBackward(HeldGradientOp.Value dy, HeldGradientOp.Value y,
      boolean holdResult) {
    HeldGradientOp.Value masked = clampBackward(dy, y, 0f, Float.POSITIVE_INFINITY, true);
    if (masked == null) return null;
    try (BlockedTensor m = (BlockedTensor) masked.held()) {
      return positivePart(m, holdResult);
    }
  }

  /**
   * Deconvnet's rule for a Relu on a held dy: dy where it is positive, else +0 (NaN included), as
   * {@code Relu.DECONVNET} computes it; null when dy is not held. dy is written over unless it is shared.
   */
  public static HeldGradientOp.Value deconvnetReluBackward(HeldGradientOp.Value dy, boolean holdResult) {
    return dy.held() instanceof BlockedTensor heldDy ? positivePart(heldDy, holdResult) : null;
  }

  /**
   * t where it is positive, else +0: oneDNN's first clip (t &gt; 0 ? t : 0, so NaN gives 0, where clip_v2 and
   * relu keep NaN and relu gives -0 for a negative t), in t's layout, over t when it is not shared.
   */
  private static HeldGradientOp.Value positivePart(BlockedTensor t, boolean holdResult) {
    MemoryDesc layout = t.layout();
    PlanKey key = new PlanKey(layout.layoutKey(), null, Pass.POSITIVE_PART);
    try (Lease<Plan> plan = PLANS.acquire(key, k -> forwardPlan("positive part " + layout.layoutKey(), layout,
        dnnl_eltwise_clip, 0f, Float.POSITIVE_INFINITY))) {
      BlockedTensor result = plan.get().runHeld(Dnnl.workspace(), null, new BlockedTensor[] {t},
          writtenOver(t, plan.get()), true, null, (float[]) null).held();
      return HeldGradientOp.Value.of(result, holdResult);
    }
  }

  /**
   * {@code t} as the buffer {@code plan} writes its output into, when nothing else reads t (it is not shared)
   * and it is in the output's layout; else null, for a fresh buffer (a plan would copy t into one otherwise).
   * These passes are memory-bound, and a fresh buffer costs the cache a line read per line written: resnet50's
   * 49 Relus took 4.2 to 4.3 rather than 5.4 to 6.1 ms per saliency pass at batch 1.
   */
  private static Plan.Addend writtenOver(BlockedTensor t, Plan plan) {
    return !t.shared() && t.layout().sameLayout(plan.firstOutputLayout()) ? new Plan.Addend(null, t, true) : null;
  }

  /** f(x) for held x, held in x's layout (or another, {@link Primitive#preferringJit}); x stays open. */
  static BlockedTensor forward(Activation f, BlockedTensor x) {
    MemoryDesc layout = x.layout();
    PlanKey key = new PlanKey(layout.layoutKey(), f, Pass.FORWARD);
    try (Lease<Plan> plan = PLANS.acquire(key, k -> forwardPlan(layout, f))) {
      return plan.get().runHeld(Dnnl.workspace(), null, new BlockedTensor[] {x}, null, true, null, (float[]) null)
          .held();
    }
  }

  /**
   * The gradient with respect to f's input x, held in x's layout (or another, {@link Primitive#preferringJit}),
   * from the gradient of f's output, row-major in {@code dy} or held in {@code heldDy} (the other is null);
   * everything given stays open.
   */
  static BlockedTensor backward(Activation f, BlockedTensor x, float[] dy, BlockedTensor heldDy) {
    MemoryDesc layout = x.layout();
    PlanKey key = new PlanKey(layout.layoutKey(), f, Pass.BACKWARD_FROM_INPUT);
    try (Lease<Plan> plan = PLANS.acquire(key, k -> backwardPlan(layout, f))) {
      return plan.get().runHeld(Dnnl.workspace(), null, new BlockedTensor[] {heldDy, x}, null, true, null, dy, null)
          .held();
    }
  }

  private static Plan forwardPlan(MemoryDesc layout, Activation f) {
    return forwardPlan(f + " " + layout.layoutKey(), layout, Primitive.algorithm(f.kind()), f.alpha(), f.beta());
  }

  /** The forward pass of eltwise {@code algorithm} on {@code layout}. */
  private static Plan forwardPlan(String what, MemoryDesc layout, int algorithm, float alpha, float beta) {
    Primitive primitive = Primitive.preferringJit(layout, l -> Primitive.create(what,
        (pd, attr) -> dnnl_eltwise_forward_primitive_desc_create(pd, Dnnl.engine(), dnnl_forward_training,
            algorithm, l.handle(), l.handle(), alpha, beta, attr)));
    long[] dims = layout.dims();
    return Plan.builder(primitive)
        .input(DNNL_ARG_SRC, MemoryDesc.plain(dims))
        .output(DNNL_ARG_DST, MemoryDesc.plain(dims))
        .build();
  }

  private static Plan backwardPlan(MemoryDesc layout, Activation f) {
    return backwardPlan(f + " backward " + layout.layoutKey(), layout, Primitive.algorithm(f.kind()), f.alpha(),
        f.beta(), DNNL_ARG_SRC);
  }

  private static Plan clampPlan(MemoryDesc layout, float lower, float upper) {
    // Relu's own algorithm keeps the gradient at +infinity, which clip_v2's strict upper bound would not.
    boolean relu = lower == 0 && upper == Float.POSITIVE_INFINITY;
    int algorithm = relu ? dnnl_eltwise_relu_use_dst_for_bwd : dnnl_eltwise_clip_v2_use_dst_for_bwd;
    float alpha = relu ? 0 : lower;
    float beta = relu ? 0 : upper;
    String what = "clamp (" + lower + ", " + upper + ") backward " + layout.layoutKey();
    return backwardPlan(what, layout, algorithm, alpha, beta, DNNL_ARG_DST);
  }

  /**
   * A backward pass of eltwise {@code algorithm} on {@code layout}, reading dy and then {@code read}: the
   * function's input (DNNL_ARG_SRC) or, for the _use_dst_for_bwd algorithms, its output (DNNL_ARG_DST).
   */
  private static Plan backwardPlan(String what, MemoryDesc layout, int algorithm, float alpha, float beta,
      int read) {
    Primitive primitive = Primitive.preferringJit(layout, l -> Primitive.withForwardHint(what,
        (pd, attr) -> dnnl_eltwise_forward_primitive_desc_create(pd, Dnnl.engine(), dnnl_forward_training,
            algorithm, l.handle(), l.handle(), alpha, beta, attr),
        hint -> Primitive.create(what, (pd, attr) -> dnnl_eltwise_backward_primitive_desc_create(pd, Dnnl.engine(),
            algorithm, l.handle(), l.handle(), l.handle(), alpha, beta, hint, attr))));
    long[] dims = layout.dims();
    return Plan.builder(primitive)
        .input(DNNL_ARG_DIFF_DST, MemoryDesc.plain(dims))
        .input(read, MemoryDesc.plain(dims))
        .output(DNNL_ARG_DIFF_SRC, MemoryDesc.plain(dims))
        .build();
  }
}
