package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.ActivationOp;
import org.convscope.tensor.Tensor;

/** 1 / (1 + exp(-x)). */
public final class Sigmoid extends ElementwiseActivation implements ActivationOp {

  @Override
  void apply(float[] x, float[] y) {
    // In double, exp(-x) overflows to infinity for very negative x and the result is a clean 0.
    for (int i = 0; i < x.length; i++) y[i] = (float) (1 / (1 + Math.exp(-x[i])));
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx) {
    for (int i = 0; i < x.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    return Activation.of(Activation.Kind.SIGMOID);
  }
}
