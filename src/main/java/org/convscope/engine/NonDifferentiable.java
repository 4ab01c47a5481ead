package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op whose outputs carry no gradient: shape arithmetic, constants, index computations.
 * The executor never calls its backward pass.
 */
public interface NonDifferentiable extends Op {
  @Override
  default Tensor[] backward(
      ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, boolean[] needed) {
    return new Tensor[inputs.length];
  }
}
