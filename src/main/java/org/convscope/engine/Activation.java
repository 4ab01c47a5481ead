package org.convscope.engine;

/**
 * An element-wise function that an op writing its output through oneDNN can apply as it writes (an eltwise
 * post-op), which saves a separate pass over the tensor; see {@link ActivationOp} and {@link FusingOp}.
 * {@code alpha} and {@code beta} are the function's parameters, as listed for each kind.
 *
 * <p>oneDNN's kernels compute the same functions as the ONNX ops but round differently (a few ulps for the
 * exponential ones), and differ at some edge values: see {@link Kind}.
 */
public record Activation(Kind kind, float alpha, float beta) {

  /**
   * The functions, each with the ONNX op (or pair of ops) it stands for. A NaN stays NaN and the infinities
   * map as the ONNX op maps them unless said otherwise (checked in FusedActivationTest).
   */
  public enum Kind {
    /**
     * min(max(x, alpha), beta): Relu (alpha 0, beta +infinity) and Clip. oneDNN returns alpha for a NaN
     * where ONNX keeps NaN.
     */
    CLAMP,
    /** x &gt;= 0 ? x : alpha * x: LeakyRelu. */
    LEAKY_RELU,
    /** x &gt;= 0 ? x : alpha * (exp(x) - 1): Elu. */
    ELU,
    /** tanh(x): Tanh. */
    TANH,
    /** 1 / (1 + exp(-x)): Sigmoid. */
    SIGMOID,
    /** max(0, min(1, alpha * x + beta)): HardSigmoid. oneDNN returns 1 for a NaN where ONNX keeps NaN. */
    HARD_SIGMOID,
    /**
     * x * sigmoid(alpha * x): with alpha 1 SiLU, which PyTorch exports as Mul(x, Sigmoid(x)). NaN at -infinity,
     * as the two ops give; x below about -88 gives -0 where they give a tiny negative subnormal.
     */
    SWISH,
    /**
     * x * max(0, min(1, alpha * x + beta)): HardSwish (alpha 1/6, beta 1/2), also as PyTorch exports it before
     * opset 14, Mul(x, HardSigmoid(x)). The same at NaN and the infinities (NaN at -infinity, as 0 * x is).
     */
    HARD_SWISH,
    /**
     * x * Phi(x), Phi the standard normal distribution function (the exact, erf form): Gelu, and the five ops
     * torch.onnx writes for it before opset 20. oneDNN's kernel is within 4e-7 of the value (its AVX-512 kernel
     * 1.2e-6, at x near 3), but only absolutely: relatively within 1e-4 above -3 (3e-4 on AVX-512), 5% at -5,
     * and 0 below about -5.5, where |Gelu(x)| &lt; 1e-7 (the Java op stays within a few ulp throughout).
     */
    GELU
  }

  public Activation {
    if (kind == Kind.CLAMP && !(alpha <= beta)) {
      throw new IllegalArgumentException("clamp bounds " + alpha + " > " + beta);
    }
  }

  /** min(max(x, lower), upper). */
  public static Activation clamp(float lower, float upper) {
    return new Activation(Kind.CLAMP, lower, upper);
  }

  /** max(x, 0). */
  public static Activation relu() {
    return clamp(0f, Float.POSITIVE_INFINITY);
  }

  public static Activation of(Kind kind) {
    return new Activation(kind, 0f, 0f);
  }

  /**
   * x * f(x) where this is f, or null when oneDNN has no such function: the activation that Mul(x, f(x))
   * computes in one pass.
   */
  public Activation timesInput() {
    return switch (kind) {
      case SIGMOID -> new Activation(Kind.SWISH, 1f, 0f);
      case HARD_SIGMOID -> new Activation(Kind.HARD_SWISH, alpha, beta);
      default -> null;
    };
  }
}
