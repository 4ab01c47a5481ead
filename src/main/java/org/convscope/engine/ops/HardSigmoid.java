package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.GatingOp;
import org.convscope.tensor.Tensor;

/** max(0, min(1, alpha * x + beta)) (ONNX defaults alpha 0.2, beta 0.5). */
public final class HardSigmoid extends ElementwiseActivation implements GatingOp {
  private final float alpha;
  private final float beta;

  public HardSigmoid(float alpha, float beta) {
    this.alpha = alpha;
    this.beta = beta;
  }

  @Override
  void apply(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) y[i] = Math.max(0f, Math.min(1f, alpha * x[i] + beta));
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) {
      float z = alpha * x[i] + beta;
      dx[i] = z > 0 && z < 1 ? alpha * dy[i] : 0f;
    }
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    return new Activation(Activation.Kind.HARD_SIGMOID, alpha, beta);
  }

  /** x * f(x): HardSwish with alpha 1/6 and beta 1/2. */
  @Override
  public Tensor timesInput(Tensor input) {
    float[] x = input.data();
    return written(input, (y, from, to) -> {
      for (int i = from; i < to; i++) y[i] = x[i] * Math.max(0f, Math.min(1f, alpha * x[i] + beta));
    });
  }

  /** dy * (f(x) + x * f'(x)), f' being alpha where 0 &lt; alpha * x + beta &lt; 1 and 0 elsewhere. */
  @Override
  public Tensor timesInputGradient(Tensor input, Tensor gradient) {
    float[] x = input.data();
    float[] dy = gradient.data();
    return written(input, (dx, from, to) -> {
      for (int i = from; i < to; i++) {
        float z = alpha * x[i] + beta;
        float slope = z > 0 && z < 1 ? alpha : 0f;
        dx[i] = dy[i] * (Math.max(0f, Math.min(1f, z)) + x[i] * slope);
      }
    });
  }
}
