package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op that oneDNN runs together with its neighbours in runs that record nothing (see {@link Network}): it can
 * apply a {@link Clamp} to its output as it writes it, when a Relu or Clip is the only reader of that output,
 * and it can take its first input and leave its output as a {@link HeldTensor} when the tensor between two such
 * ops has no other reader. Neither tensor is then ever written as a Java array.
 */
public interface FusingOp extends Op {

  /** The output of a fused run: a tensor, or the held output when one was asked for. */
  record Output(Tensor tensor, HeldTensor held) {}

  /**
   * Runs the op as {@link #forward} followed by {@code clamp} would (except that a NaN may come out as the lower
   * bound, as oneDNN clamps it), or returns null, having run nothing, when it cannot for these inputs.
   *
   * @param inputs the inputs; the first is null when it comes as {@code heldInput}
   * @param heldInput the first input as another op left it, or null
   * @param clamp the clamp to apply, or null
   * @param holdOutput return the output as a {@link HeldTensor} instead of a tensor
   */
  Output forwardFused(ExecutionContext context, Tensor[] inputs, HeldTensor heldInput, Clamp clamp, boolean holdOutput);
}
