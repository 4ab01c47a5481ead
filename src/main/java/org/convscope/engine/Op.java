package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * One node's computation: its forward pass and, beside it, its backward rule.
 *
 * <p>An op instance is created once per graph node from the node's attributes (see {@link OpRegistry}) and is
 * then shared by every thread that runs the network, so implementations must be immutable or guard their
 * caches. Ops never write into their input tensors.
 */
public interface Op {

  /** Computes the node's outputs. */
  Tensor[] forward(ExecutionContext context, Tensor[] inputs);

  /**
   * Gradients of a scalar loss with respect to the inputs, given its gradients with respect to the outputs.
   *
   * @param inputs the forward inputs (null where an optional input was absent)
   * @param outputs the forward outputs
   * @param outputGrads one per output: zeros where nothing flowed back, null only for an optional output the
   *     node does not name
   * @param needed which input gradients the caller wants; others may be left null, which is where the work of
   *     parameter gradients is saved
   * @return one entry per input, null where not needed or not differentiable
   */
  Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, boolean[] needed);

  /**
   * Whether {@link #backward} reads input {@code j}'s values. A recorded run skips a convolution's
   * output that only a Relu reads; an op that answers false may then get null for that input, and takes its
   * shape from the output gradient.
   */
  default boolean backwardReadsInput(int j, boolean[] needed) {
    return true;
  }

  /** The same for a run in {@code context}: an op whose training backward pass reads more says so here. */
  default boolean backwardReadsInput(ExecutionContext context, int j, boolean[] needed) {
    return backwardReadsInput(j, needed);
  }

  /** Whether {@link #backward} reads output {@code j}'s values; if not, it may get null there (as above). */
  default boolean backwardReadsOutput(int j) {
    return true;
  }
}
