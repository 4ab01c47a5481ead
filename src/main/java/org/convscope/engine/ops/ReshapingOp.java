package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * An op whose output is its first input's data under another shape (Flatten, Reshape, Squeeze, Unsqueeze).
 * Nothing is copied, and the gradient is the output gradient under the input's shape. The other inputs
 * (shape, axes) are int64 and take no gradient.
 */
abstract class ReshapingOp implements Op {

  /** The output shape for these inputs; fails with a message when they do not fit. */
  abstract int[] outputShape(Tensor[] inputs);

  @Override
  public final Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {inputs[0].reshape(outputShape(inputs))};
  }

  @Override
  public final Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor[] grads = new Tensor[inputs.length];
    if (needed[0]) grads[0] = outputGrads[0].reshape(inputs[0].shape());
    return grads;
  }
}
