package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.ActivationOp;
import org.convscope.tensor.Tensor;

/** Hyperbolic tangent. */
public final class Tanh extends ElementwiseActivation implements ActivationOp {

  @Override
  void apply(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) y[i] = (float) Math.tanh(x[i]);
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx) {
    for (int i = 0; i < x.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    return Activation.of(Activation.Kind.TANH);
  }
}
