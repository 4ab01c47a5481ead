package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.function.Function;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convscope.engine.Clamp;
import org.convscope.tensor.Tensor;

/**
 * Convolution and transposed convolution (oneDNN's "deconvolution") on row-major tensors: forward, backward
 * to the data, and backward to the weights and bias. A {@link Plan} is made once per {@link ConvGeometry} and
 * pass, with layouts of oneDNN's choosing ({@code format_tag_any}, usually channel-blocked), and kept in a
 * bounded cache shared by all threads; weights are reordered once per tensor version by the
 * {@link WeightCache}.
 */
public final class Convolution {
  private static final LeasedCache<PlanKey, Plan> PLANS = LeasedCache.ofCount(256);

  private enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHTS }

  /**
   * {@code bias}: forward with a bias input, or backward-weights computing the bias gradient too;
   * {@code sum}: a forward pass adds its output to what the destination holds; {@code clamp}: a forward pass's
   * output clamp (after the sum), or null.
   */
  private record PlanKey(ConvGeometry geometry, Pass pass, boolean bias, boolean sum, Clamp clamp) {
    PlanKey(ConvGeometry geometry, Pass pass, boolean bias) {
      this(geometry, pass, bias, false, null);
    }
  }

  private Convolution() {}

  /** y = conv(x, w) + bias; {@code bias} may be null. Returns y's values, row-major in {@code dstDims()}. */
  public static float[] forward(ConvGeometry geometry, Tensor x, Tensor w, Tensor bias) {
    return forward(geometry, x, w, bias, null);
  }

  /** The same followed by {@code clamp} (none when null), which oneDNN applies as it writes y. */
  public static float[] forward(ConvGeometry geometry, Tensor x, Tensor w, Tensor bias, Clamp clamp) {
    return forwardChained(geometry, x, null, w, bias, null, clamp, false).values()[0];
  }

  /**
   * The same for a chain of convolutions: x comes as a tensor or, when {@code heldX} is not null, as a previous
   * convolution left it; {@code addend} (none when null, else of y's shape) is added to y before the clamp
   * (a residual connection); y is returned held when {@code holdOutput}.
   */
  public static Plan.Chained forwardChained(ConvGeometry geometry, Tensor x, BlockedTensor heldX, Tensor w,
      Tensor bias, Plan.Addend addend, Clamp clamp, boolean holdOutput) {
    PlanKey key = new PlanKey(geometry, Pass.FORWARD, bias != null, addend != null, clamp);
    try (Lease<Plan> plan = PLANS.acquire(key, Convolution::plan)) {
      float[] xValues = heldX == null ? x.data() : null;
      return bias == null
          ? plan.get().runChained(Dnnl.workspace(), w, heldX, addend, holdOutput, xValues)
          : plan.get().runChained(Dnnl.workspace(), w, heldX, addend, holdOutput, xValues, bias.data());
    }
  }

  /** The gradient with respect to x, given the gradient {@code dy} with respect to the output. */
  public static float[] backwardData(ConvGeometry geometry, Tensor w, Tensor dy) {
    return backwardData(geometry, w, dy, null);
  }

  /** The same, reading dy from {@code heldDy} ({@link #holdGradient}, or null) when it is in the right layout. */
  public static float[] backwardData(ConvGeometry geometry, Tensor w, Tensor dy, BlockedTensor heldDy) {
    try (Lease<Plan> plan = PLANS.acquire(new PlanKey(geometry, Pass.BACKWARD_DATA, false), Convolution::plan)) {
      return run(plan.get(), w, heldDy, dy.data())[0];
    }
  }

  /**
   * The gradients with respect to the weights (row-major in the ONNX weight shape) and, if
   * {@code withBias}, the bias; the second entry is null otherwise.
   */
  public static float[][] backwardWeights(ConvGeometry geometry, Tensor x, Tensor dy, boolean withBias) {
    return backwardWeights(geometry, x, dy, null, withBias);
  }

  /** The same, reading dy from {@code heldDy} ({@link #holdGradient}, or null) when it is in the right layout. */
  public static float[][] backwardWeights(ConvGeometry geometry, Tensor x, Tensor dy, BlockedTensor heldDy,
      boolean withBias) {
    try (Lease<Plan> plan = PLANS.acquire(new PlanKey(geometry, Pass.BACKWARD_WEIGHTS, withBias), Convolution::plan)) {
      float[][] out = run(plan.get(), null, heldDy, dy.data(), x.data());
      return new float[][] {out[0], withBias ? out[1] : null};
    }
  }

  /**
   * dy copied and reordered once, into the layout the backward-data pass reads it, for both backward passes:
   * oneDNN's backward-weights pass usually reads the same layout, and each would otherwise copy and reorder dy
   * itself. The caller closes it.
   */
  public static BlockedTensor holdGradient(ConvGeometry geometry, Tensor dy) {
    try (Lease<Plan> plan = PLANS.acquire(new PlanKey(geometry, Pass.BACKWARD_DATA, false), Convolution::plan)) {
      return plan.get().hold(Dnnl.workspace(), dy.data());
    }
  }

  /**
   * Runs a plan whose first input is dy: from {@code heldDy} when given (reordered in native memory if the plan
   * reads another layout), else from the values.
   */
  private static float[][] run(Plan plan, Tensor w, BlockedTensor heldDy, float[]... inputValues) {
    if (heldDy == null) return plan.run(Dnnl.workspace(), w, inputValues);
    return plan.runChained(Dnnl.workspace(), w, heldDy, null, false, inputValues).values();
  }

  /** Frees every cached primitive not in use (those in use when their users finish). */
  public static void clearCache() {
    PLANS.clear();
  }

  private static Plan plan(PlanKey key) {
    ConvGeometry g = key.geometry();
    return switch (key.pass()) {
      case FORWARD -> {
        Plan.Builder b = Plan.builder(forwardPrimitive(g, key.bias(), key.sum(), key.clamp()))
            .input(DNNL_ARG_SRC, MemoryDesc.plain(g.srcDims()))
            .weights(DNNL_ARG_WEIGHTS, MemoryDesc.strided(g.weightsDims(), g.weightsStrides()));
        if (key.bias()) b.input(DNNL_ARG_BIAS, MemoryDesc.plain(g.biasDims()));
        yield b.output(DNNL_ARG_DST, MemoryDesc.plain(g.dstDims())).build();
      }
      case BACKWARD_DATA -> Plan.builder(backwardDataPrimitive(g))
          .input(DNNL_ARG_DIFF_DST, MemoryDesc.plain(g.dstDims()))
          .weights(DNNL_ARG_WEIGHTS, MemoryDesc.strided(g.weightsDims(), g.weightsStrides()))
          .output(DNNL_ARG_DIFF_SRC, MemoryDesc.plain(g.srcDims()))
          .build();
      case BACKWARD_WEIGHTS -> {
        // dy first, so that it can come held (holdGradient).
        Plan.Builder b = Plan.builder(backwardWeightsPrimitive(g, key.bias()))
            .input(DNNL_ARG_DIFF_DST, MemoryDesc.plain(g.dstDims()))
            .input(DNNL_ARG_SRC, MemoryDesc.plain(g.srcDims()))
            .output(DNNL_ARG_DIFF_WEIGHTS, MemoryDesc.strided(g.weightsDims(), g.weightsStrides()));
        if (key.bias()) b.output(DNNL_ARG_DIFF_BIAS, MemoryDesc.plain(g.biasDims()));
        yield b.build();
      }
    };
  }

  /** The layouts a primitive is created from: "any" for the tensors, so oneDNN picks; plain for the bias. */
  private static final class Descs implements AutoCloseable {
    final MemoryDesc src;
    final MemoryDesc weights;
    final MemoryDesc bias;
    final MemoryDesc dst;

    Descs(ConvGeometry g, boolean withBias) {
      src = MemoryDesc.any(g.srcDims());
      weights = MemoryDesc.any(g.weightsDims());
      bias = withBias ? MemoryDesc.plain(g.biasDims()) : null;
      dst = MemoryDesc.any(g.dstDims());
    }

    dnnl_memory_desc biasHandle() {
      return bias == null ? null : bias.handle();
    }

    @Override
    public void close() {
      src.close();
      weights.close();
      if (bias != null) bias.close();
      dst.close();
    }
  }

  private static Primitive forwardPrimitive(ConvGeometry g, boolean withBias, boolean sum, Clamp clamp) {
    try (Descs d = new Descs(g, withBias)) {
      String what = g + " forward" + (sum ? " plus a residual" : "") + (clamp == null ? "" : " with " + clamp);
      return Primitive.create(what, sum, clamp,
          (pd, attr) -> forwardDescriptor(pd, g, dnnl_forward_inference, d, attr));
    }
  }

  private static int forwardDescriptor(dnnl_primitive_desc pd, ConvGeometry g, int propKind, Descs d,
      dnnl_primitive_attr attr) {
    return g.transposed()
        ? dnnl_deconvolution_forward_primitive_desc_create(pd, Dnnl.engine(), propKind, dnnl_deconvolution_direct,
            d.src.handle(), d.weights.handle(), d.biasHandle(), d.dst.handle(),
            g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), attr)
        : dnnl_convolution_forward_primitive_desc_create(pd, Dnnl.engine(), propKind, dnnl_convolution_direct,
            d.src.handle(), d.weights.handle(), d.biasHandle(), d.dst.handle(),
            g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), attr);
  }

  private static Primitive backwardDataPrimitive(ConvGeometry g) {
    String what = g + " backward to data";
    try (Descs d = new Descs(g, false)) {
      return withForwardHint(g, d, what, hint -> Primitive.create(what, (pd, attr) -> g.transposed()
          ? dnnl_deconvolution_backward_data_primitive_desc_create(pd, Dnnl.engine(), dnnl_deconvolution_direct,
              d.src.handle(), d.weights.handle(), d.dst.handle(),
              g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), hint, attr)
          : dnnl_convolution_backward_data_primitive_desc_create(pd, Dnnl.engine(), dnnl_convolution_direct,
              d.src.handle(), d.weights.handle(), d.dst.handle(),
              g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), hint, attr)));
    }
  }

  private static Primitive backwardWeightsPrimitive(ConvGeometry g, boolean withBias) {
    String what = g + " backward to weights";
    try (Descs d = new Descs(g, withBias)) {
      return withForwardHint(g, d, what, hint -> Primitive.create(what, (pd, attr) -> g.transposed()
          ? dnnl_deconvolution_backward_weights_primitive_desc_create(pd, Dnnl.engine(), dnnl_deconvolution_direct,
              d.src.handle(), d.weights.handle(), d.biasHandle(), d.dst.handle(),
              g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), hint, attr)
          : dnnl_convolution_backward_weights_primitive_desc_create(pd, Dnnl.engine(), dnnl_convolution_direct,
              d.src.handle(), d.weights.handle(), d.biasHandle(), d.dst.handle(),
              g.dnnlStrides(), g.dnnlDilations(), g.dnnlPadBegin(), g.dnnlPadEnd(), hint, attr)));
    }
  }

  /** oneDNN builds backward primitives from a forward-training descriptor, needed only while creating them. */
  private static Primitive withForwardHint(ConvGeometry g, Descs d, String what,
      Function<dnnl_primitive_desc, Primitive> create) {
    dnnl_primitive_desc hint = new dnnl_primitive_desc();
    Dnnl.check(forwardDescriptor(hint, g, dnnl_forward_training, d, null), "creating the forward hint of " + what);
    try {
      return create.apply(hint);
    } finally {
      dnnl_primitive_desc_destroy(hint);
    }
  }
}
