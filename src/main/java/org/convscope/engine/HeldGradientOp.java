package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op whose backward pass can read the output gradient held and leave its inputs' gradients held, in
 * oneDNN's layout: convolutions, clamps, Add, max and average pooling, a squeeze-and-excitation block's Mul and
 * global average pool, batch norm, and DenseNet's Concat and Pad of nothing. The backward pass of a saliency map
 * or a training step through a chain of them then skips, between every two ops, the copies to a Java array and
 * back and the reorders to row-major and back (see {@link Network#backward}).
 */
public interface HeldGradientOp extends Op {

  /** A tensor or a gradient, as a Java tensor or held; the other is null. */
  record Value(Tensor tensor, HeldTensor held) {
    public int[] shape() {
      return held != null ? held.shape() : tensor.shape();
    }

    /** A gradient computed as a Java array, of the given shape. */
    public static Value of(float[] values, int[] shape) {
      return new Value(Tensor.of(values, shape), null);
    }

    /** A gradient left held, or computed as the first of {@code values} (of the given shape) when none is. */
    public static Value of(HeldTensor held, float[][] values, int[] shape) {
      return held != null ? new Value(null, held) : of(values[0], shape);
    }

    /** {@code held} as it is when {@code keepHeld}, else as a tensor, closing it. */
    public static Value of(HeldTensor held, boolean keepHeld) {
      if (keepHeld) return new Value(null, held);
      try (held) {
        return new Value(held.toTensor(), null);
      }
    }
  }

  /**
   * The gradients of the inputs marked {@code needed}, as {@link #backward} gives them to rounding, from the
   * output gradient {@code dy}: the first input's held when {@code holdResult}, the others as tensors or held,
   * null where not needed; or null, having done nothing, when the op cannot run so (the caller then runs
   * {@link #backward}). Inputs and outputs come as the forward run left them (null where absent, or skipped by
   * fusion and not read); what is held stays open, except that a held {@code dy} may be handed on as one input's
   * gradient (Add does) or, when no other handle shares it ({@link HeldTensor#share}), written over by the
   * input's (a clamp does): the caller then gives up its own hold on it, and shares one it must keep.
   */
  Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult);

  /** Whether only the first input needs a gradient: what clamps handle. */
  static boolean firstOnly(boolean[] needed) {
    if (!needed[0]) return false;
    for (int j = 1; j < needed.length; j++) if (needed[j]) return false;
    return true;
  }
}
