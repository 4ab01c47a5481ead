package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.tensor.Tensor;

/** -x, for float and (in index arithmetic) int64 tensors. */
public final class Neg extends ElementwiseActivation {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    if (inputs[0].isFloat()) return super.forward(context, inputs);
    long[] x = inputs[0].longs();
    long[] y = new long[x.length];
    for (int i = 0; i < x.length; i++) y[i] = -x[i];
    return new Tensor[] {Tensor.ofLongs(y, inputs[0].shape())};
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = -x[i];
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = -dy[i];
  }
}
