package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.tensor.Tensor;

/**
 * An op whose output is its first input's data under another shape (Flatten, Reshape, Squeeze, Unsqueeze).
 * Nothing is copied, and the gradient is the output gradient under the input's shape. The other inputs
 * (shape, axes) are int64 and take no gradient. A held input is read where it lies when its layout allows the
 * new shape, else copied row-major once.
 */
abstract class ReshapingOp implements HeldForwardOp, HeldGradientOp {

  /** The output shape for a first input of shape {@code in} and these other inputs; fails when they do not fit. */
  abstract int[] outputShape(int[] in, Tensor[] inputs);

  @Override
  public final Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {inputs[0].reshape(outputShape(inputs[0].shape(), inputs))};
  }

  /**
   * The held input under the new shape: read where it lies when its layout allows, else copied row-major first
   * (ShuffleNet's channel shuffle merges two axes that a transpose left apart).
   */
  @Override
  public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
    if (held[0] == null) return null;
    return reshapedOrCopied(held[0], outputShape(held[0].shape(), inputs));
  }

  /** {@code t} under {@code shape}: read where it lies when its layout allows, else copied row-major first. */
  private static HeldTensor reshapedOrCopied(HeldTensor t, int[] shape) {
    HeldTensor view = t.reshaped(shape);
    if (view != null) return view;
    try (HeldTensor rows = t.rowMajor()) {
      return rows.reshaped(shape);
    }
  }

  /**
   * The same as {@link #backward}, reading only the input's shape, so that a held input is not read back to an
   * array: a held gradient is reshaped as the forward pass reshapes, an array one takes the shape.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!needed[0] || inputs[0] == null) return null;
    int[] shape = inputs[0].shape();
    Value[] grads = new Value[inputs.length];
    if (dy.held() == null) {
      grads[0] = new Value(dy.tensor().reshape(shape), null);
      return grads;
    }
    grads[0] = Value.of(reshapedOrCopied(dy.held(), shape), holdResult);
    return grads;
  }

  @Override
  public final Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor[] grads = new Tensor[inputs.length];
    if (needed[0]) grads[0] = outputGrads[0].reshape(inputs[0].shape());
    return grads;
  }
}
