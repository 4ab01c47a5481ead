package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op that oneDNN runs together with its neighbours (see {@link Network}): a convolution, a pooling, or in
 * training a batch norm. A convolution can add another tensor to its output as it writes it, when an Add of
 * the two is the only reader of that output (a residual connection); each can then apply an {@link Activation}
 * when an activation (Relu, Clip, Sigmoid, ...) is the only reader of the result, or when a Sigmoid or HardSigmoid
 * and a Mul of the result by it are (SiLU and HardSwish as PyTorch exports them), take its first input and leave
 * its output as a {@link HeldTensor} (a batch norm takes only a ReLU). None of these tensors is then ever
 * written as a Java array.
 */
public interface FusingOp extends Op {

  /** The output of a fused run: a tensor, or the held output when one was asked for. */
  record Output(Tensor tensor, HeldTensor held) {}

  /**
   * The tensor a fused run adds to its output, as a tensor or held (the other is null). A held one is
   * {@code consumable} when nothing reads it afterwards, so the op may write its output over it.
   */
  record Addend(Tensor tensor, HeldTensor held, boolean consumable) {
    public int[] shape() {
      return held != null ? held.shape() : tensor.shape();
    }
  }

  /**
   * Runs the op as {@link #forward} followed by adding {@code addend} and then {@code activation} would (except
   * that oneDNN rounds the sum and the activation differently and treats some edge values otherwise, as
   * {@link Activation.Kind} lists), or
   * returns null, having run nothing, when it cannot for these inputs (an addend of another shape than the
   * output, which an Add would broadcast).
   *
   * @param inputs the inputs; the first is null when it comes as {@code heldInput}
   * @param heldInput the first input as another op left it, or null
   * @param addend the tensor to add to the output, or null
   * @param activation the activation to apply, or null
   * @param holdOutput return the output as a {@link HeldTensor} instead of a tensor
   */
  Output forwardFused(ExecutionContext context, Tensor[] inputs, HeldTensor heldInput, Addend addend,
      Activation activation, boolean holdOutput);
}
