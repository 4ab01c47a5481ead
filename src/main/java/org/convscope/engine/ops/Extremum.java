package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * Base of Max and Min: the element-wise extreme of any number of inputs, all broadcast together, float or
 * int64. Each output's gradient goes to the first input that holds the extreme value there, so ties do not
 * count it twice.
 */
abstract class Extremum implements Op {

  /** The extreme of two values. */
  abstract float pick(float a, float b);

  abstract long pick(long a, long b);

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    int[] shape = Expand.broadcastShape(inputs);
    Tensor result = Expand.map(inputs[0].shape(), shape).apply(inputs[0], 0);
    for (int i = 1; i < inputs.length; i++) {
      if (inputs[i].dtype() != inputs[0].dtype()) {
        throw new IllegalArgumentException("inputs have different types: " + inputs[0].dtype() + " and " + inputs[i].dtype());
      }
      Tensor next = Expand.map(inputs[i].shape(), shape).apply(inputs[i], 0);
      if (result.isFloat()) {
        float[] r = result.data();
        float[] v = next.data();
        for (int k = 0; k < r.length; k++) r[k] = pick(r[k], v[k]);
      } else {
        long[] r = result.longs();
        long[] v = next.longs();
        for (int k = 0; k < r.length; k++) r[k] = pick(r[k], v[k]);
      }
    }
    return new Tensor[] {result};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    int[] shape = outputs[0].shape();
    float[] y = outputs[0].data();
    float[] g = outputGrads[0].data();
    boolean[] claimed = new boolean[y.length];
    Tensor[] grads = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      ElementMap map = Expand.map(inputs[i].shape(), shape);
      float[] v = map.apply(inputs[i], 0).data();
      float[] mine = new float[y.length];
      for (int k = 0; k < y.length; k++) {
        if (!claimed[k] && v[k] == y[k]) {
          claimed[k] = true;
          mine[k] = g[k];
        }
      }
      if (needed[i]) grads[i] = map.gradient(Tensor.of(mine, shape), inputs[i].shape());
    }
    return grads;
  }
}
