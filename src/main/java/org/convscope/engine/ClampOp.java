package org.convscope.engine;

import org.convscope.tensor.Tensor;

/** An op that computes a {@link Clamp} of its first input: Relu, and Clip with scalar bounds. */
public interface ClampOp extends Op {

  /**
   * The clamp this node computes, given its inputs apart from the first (null there), or null when it is no
   * plain clamp (bounds that are not float scalars, or a lower bound above the upper).
   */
  Clamp clamp(Tensor[] inputs);
}
