package org.convscope.engine;

import org.convscope.engine.HeldGradientOp.Value;
import org.convscope.tensor.Tensor;

/**
 * A {@link BackwardRule} that can also run on held gradients, as {@link HeldGradientOp#backwardHeld} does, so
 * that a backward pass with the rule in place (guided backpropagation's Relu, say) stays in oneDNN's layout.
 */
public interface HeldBackwardRule extends BackwardRule {

  /** As {@link HeldGradientOp#backwardHeld}, for {@code op} with this rule: null when it cannot run so. */
  Value[] backwardHeld(ExecutionContext context, Op op, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult);

  /** {@code op} with this rule as its backward pass, held or not. */
  default HeldGradientOp appliedTo(Op op) {
    HeldBackwardRule rule = this;
    return new HeldGradientOp() {
      @Override
      public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
        return op.forward(context, inputs);
      }

      @Override
      public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
          boolean[] needed) {
        return rule.backward(context, op, inputs, outputs, outputGrads, needed);
      }

      @Override
      public boolean backwardReadsInput(int j, boolean[] needed) {
        return rule.readsInput(j, needed);
      }

      @Override
      public boolean backwardReadsInput(ExecutionContext context, int j, boolean[] needed) {
        return rule.readsInput(j, needed);
      }

      @Override
      public boolean backwardReadsOutput(int j) {
        return rule.readsOutput(j);
      }

      @Override
      public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy,
          boolean[] needed, boolean holdResult) {
        return rule.backwardHeld(context, op, inputs, outputs, dy, needed, holdResult);
      }
    };
  }
}
