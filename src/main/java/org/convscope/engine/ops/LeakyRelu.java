package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.ActivationOp;
import org.convscope.tensor.Tensor;

/** x for x &gt;= 0, alpha * x below (ONNX default alpha 0.01). */
public final class LeakyRelu extends ElementwiseActivation implements ActivationOp {
  private final float alpha;

  public LeakyRelu(float alpha) {
    this.alpha = alpha;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = x[i] >= 0 ? x[i] : alpha * x[i];
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = x[i] >= 0 ? dy[i] : alpha * dy[i];
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    return new Activation(Activation.Kind.LEAKY_RELU, alpha, 0f);
  }
}
