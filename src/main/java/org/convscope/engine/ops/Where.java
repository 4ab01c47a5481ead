package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * Picks from X where the condition is true (non-zero) and from Y elsewhere, all three broadcast together.
 * X and Y are both float or both int64. Each of X and Y gets the gradient of the positions it was picked for.
 */
public final class Where implements Op {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor x = inputs[1];
    Tensor y = inputs[2];
    if (x.dtype() != y.dtype()) {
      throw new IllegalArgumentException("X and Y have different types: " + x.dtype() + " and " + y.dtype());
    }
    int[] shape = Expand.broadcastShape(inputs);
    long[] condition = Expand.map(inputs[0].shape(), shape).apply(inputs[0], 0).longs();
    Tensor fromX = Expand.map(x.shape(), shape).apply(x, 0);
    Tensor fromY = Expand.map(y.shape(), shape).apply(y, 0);
    if (x.isFloat()) {
      float[] out = fromY.data();
      float[] picked = fromX.data();
      for (int i = 0; i < out.length; i++) if (condition[i] != 0) out[i] = picked[i];
      return new Tensor[] {Tensor.of(out, shape)};
    }
    long[] out = fromY.longs();
    long[] picked = fromX.longs();
    for (int i = 0; i < out.length; i++) if (condition[i] != 0) out[i] = picked[i];
    return new Tensor[] {Tensor.ofLongs(out, shape)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    int[] shape = outputs[0].shape();
    long[] condition = Expand.map(inputs[0].shape(), shape).apply(inputs[0], 0).longs();
    float[] g = outputGrads[0].data();
    Tensor[] grads = new Tensor[3];
    for (int input = 1; input <= 2; input++) {
      if (!needed[input]) continue;
      boolean wantTrue = input == 1;
      float[] masked = new float[g.length];
      for (int i = 0; i < g.length; i++) if ((condition[i] != 0) == wantTrue) masked[i] = g[i];
      int[] inputShape = inputs[input].shape();
      grads[input] = Expand.map(inputShape, shape).gradient(Tensor.of(masked, shape), inputShape);
    }
    return grads;
  }
}
