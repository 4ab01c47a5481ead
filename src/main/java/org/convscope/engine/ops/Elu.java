package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.ActivationOp;
import org.convscope.tensor.Tensor;

/** x for x &gt;= 0, alpha * (exp(x) - 1) below (ONNX default alpha 1). */
public final class Elu extends ElementwiseActivation implements ActivationOp {
  private final float alpha;

  public Elu(float alpha) {
    this.alpha = alpha;
  }

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = x[i] >= 0 ? x[i] : (float) (alpha * Math.expm1(x[i]));
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    // Below zero the derivative alpha * exp(x) equals y + alpha.
    for (int i = from; i < to; i++) dx[i] = x[i] >= 0 ? dy[i] : dy[i] * (y[i] + alpha);
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    return new Activation(Activation.Kind.ELU, alpha, 0f);
  }
}
