package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/** Element-wise sum of any number of inputs, all broadcast together. */
public final class Sum implements Op {
  private final Add add = new Add();

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    // With one input the output must still be a new tensor; with more, the first Add makes one.
    Tensor total = inputs.length == 1 ? inputs[0].copy() : inputs[0];
    for (int i = 1; i < inputs.length; i++) total = add.forward(context, new Tensor[] {total, inputs[i]})[0];
    return new Tensor[] {total};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    float[] g = outputGrads[0].data();
    int[] shape = outputs[0].shape();
    Tensor[] grads = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      if (needed[i]) grads[i] = Tensor.of(BroadcastPlan.sumTo(g, shape, inputs[i].shape()), inputs[i].shape());
    }
    return grads;
  }
}
