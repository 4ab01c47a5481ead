package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/** Element-wise mean of any number of float inputs, all broadcast together. */
public final class Mean implements Op {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    int[] shape = Expand.broadcastShape(inputs);
    float[] sum = Expand.map(inputs[0].shape(), shape).apply(inputs[0], 0).data();
    for (int i = 1; i < inputs.length; i++) {
      float[] v = Expand.map(inputs[i].shape(), shape).apply(inputs[i], 0).data();
      for (int k = 0; k < sum.length; k++) sum[k] += v[k];
    }
    for (int k = 0; k < sum.length; k++) sum[k] /= inputs.length;
    return new Tensor[] {Tensor.of(sum, shape)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    int[] shape = outputs[0].shape();
    float[] g = outputGrads[0].data();
    float[] share = new float[g.length];
    for (int k = 0; k < g.length; k++) share[k] = g[k] / inputs.length;
    Tensor shared = Tensor.of(share, shape);
    Tensor[] grads = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      if (needed[i]) grads[i] = Expand.map(inputs[i].shape(), shape).gradient(shared, inputs[i].shape());
    }
    return grads;
  }
}
