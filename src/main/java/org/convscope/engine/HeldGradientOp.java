package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op whose backward pass to its first input alone can read the output gradient held and leave the input's
 * gradient held, in oneDNN's layout: convolutions and clamps. The backward pass of a saliency map through a
 * chain of them then skips, between every two ops, the copies to a Java array and back and the reorders to
 * row-major and back (see {@link Network#backward}).
 */
public interface HeldGradientOp extends Op {

  /** A gradient as a tensor or held; the other is null. */
  record Gradient(Tensor tensor, HeldTensor held) {
    /** {@code held} as it is when {@code keepHeld}, else as a tensor, closing it. */
    public static Gradient of(HeldTensor held, boolean keepHeld) {
      if (keepHeld) return new Gradient(null, held);
      try (held) {
        return new Gradient(held.toTensor(), null);
      }
    }
  }

  /**
   * The gradient with respect to input 0 alone, as {@link #backward} gives it to rounding, from the output
   * gradient given as {@code dy} or held as {@code heldDy} (the other is null); held when {@code holdResult};
   * or null, having done nothing, when the op cannot run so (the caller then runs {@link #backward}). heldDy
   * stays open.
   */
  Gradient backwardHeld(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor dy, HeldTensor heldDy,
      boolean holdResult);
}
