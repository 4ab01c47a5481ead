package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.ActivationOp;
import org.convscope.tensor.Tensor;

/** Hyperbolic tangent. */
public final class Tanh extends ElementwiseActivation implements ActivationOp {

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = (float) Math.tanh(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    return Activation.of(Activation.Kind.TANH);
  }
}
