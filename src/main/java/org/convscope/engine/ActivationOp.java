package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op that computes an {@link Activation} of its first input (Relu, Clip with scalar bounds, Sigmoid, ...),
 * which a {@link FusingOp} before it can then apply as it writes.
 */
public interface ActivationOp extends Op {

  /**
   * The activation this node computes, given its inputs apart from the first (null there), or null when it is
   * none that oneDNN has (Clip bounds that are not float scalars, or a lower bound above the upper).
   */
  Activation activation(Tensor[] inputs);
}
