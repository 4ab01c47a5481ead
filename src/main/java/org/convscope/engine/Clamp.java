package org.convscope.engine;

/**
 * The element-wise function min(max(x, lower), upper): Relu (lower 0, no upper bound) and Clip (ReLU6). An op
 * that writes its output through oneDNN can apply it as the output is written (a post-op), which saves a
 * separate pass over the tensor; see {@link ClampOp} and {@link FusingOp}.
 */
public record Clamp(float lower, float upper) {
  public Clamp {
    if (!(lower <= upper)) throw new IllegalArgumentException("clamp bounds " + lower + " > " + upper);
  }

  /** max(x, 0). */
  public static Clamp relu() {
    return new Clamp(0f, Float.POSITIVE_INFINITY);
  }
}
