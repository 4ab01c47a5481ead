package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An activation f that also computes x * f(x) and that product's gradient, each in one pass over x. PyTorch
 * exports SiLU and HardSwish as Mul(x, Sigmoid(x)) and Mul(x, HardSigmoid(x)); node by node those take two
 * passes forward and four backward (the Mul's two operand gradients, f's gradient, and their sum into x's).
 * {@link Network} runs such a pair through these methods when nothing needs f(x) on its own.
 */
public interface GatingOp extends ActivationOp {

  /** x * f(x), with f(x) computed exactly as this op's forward pass computes it. */
  Tensor timesInput(Tensor x);

  /** dy * (f(x) + x * f'(x)): the gradient with respect to x of the product, given the product's {@code dy}. */
  Tensor timesInputGradient(Tensor x, Tensor dy);
}
