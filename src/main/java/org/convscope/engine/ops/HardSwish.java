package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.ActivationOp;
import org.convscope.tensor.Tensor;

/** x * max(0, min(1, x / 6 + 1/2)), as in MobileNetV3. */
public final class HardSwish extends ElementwiseActivation implements ActivationOp {

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = x[i] * Math.max(0f, Math.min(1f, x[i] / 6f + 0.5f));
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) {
      float v = x[i];
      dx[i] = v <= -3 ? 0f : v >= 3 ? dy[i] : dy[i] * (v / 3f + 0.5f);
    }
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    return new Activation(Activation.Kind.HARD_SWISH, 1f / 6, 0.5f);
  }
}
