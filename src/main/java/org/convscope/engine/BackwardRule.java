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

  /** As {@link Op#backwardReadsInput}: whether this rule reads input {@code j}'s values. */
  default boolean readsInput(int j, boolean[] needed) {
    return true;
  }

  /** As {@link Op#backwardReadsOutput}. */
  default boolean readsOutput(int j) {
    return true;
  }

  /** {@code rule}, declared to read no input values: it reads the outputs and gradients only. */
  static BackwardRule readingOutputs(BackwardRule rule) {
    return new BackwardRule() {
      @Override
      public Tensor[] backward(ExecutionContext context, Op op, Tensor[] inputs, Tensor[] outputs,
          Tensor[] outputGrads, boolean[] needed) {
        return rule.backward(context, op, inputs, outputs, outputGrads, needed);
      }

      @Override
      public boolean readsInput(int j, boolean[] needed) {
        return false;
      }
    };
  }
}
