package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * A replacement for an op's backward pass, chosen per run: guided backpropagation and deconvnet replace
 * ReLU's rule without touching the model. Same contract as {@link Op#backward}.
 */
@FunctionalInterface
public interface BackwardRule {
  Tensor[] backward(ExecutionContext context, Op op, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed);
}
