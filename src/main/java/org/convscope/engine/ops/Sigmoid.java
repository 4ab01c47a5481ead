package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.GatingOp;
import org.convscope.tensor.Tensor;

/** 1 / (1 + exp(-x)), within 3 ulp; 0 below x = -87 (where the true value is under 2e-38). */
public final class Sigmoid extends ElementwiseActivation implements GatingOp {

  @Override
  int grain() {
    return COSTLY_GRAIN;
  }

  /**
   * With e = exp(-|x|), which never overflows: 1 / (1 + e) for x &ge; 0 and e / (1 + e) below, without a
   * branch. The weight b = clamp(x * 2^126, 0, 1) is exactly 1 or 0 except for |x| &lt; 2^-126, where e = 1
   * and both formulas give 1/2.
   */
  @Override
  void apply(float[] x, float[] y, int from, int to) {
    float[] xs = new float[FastExp.BLOCK];
    float[] v = new float[FastExp.BLOCK];
    float[] e = new float[FastExp.BLOCK];
    for (int start = from; start < to; start += FastExp.BLOCK) {
      int n = Math.min(FastExp.BLOCK, to - start);
      System.arraycopy(x, start, xs, 0, n);
      for (int j = 0; j < n; j++) v[j] = -Math.abs(xs[j]);
      FastExp.exp(v, e, n);
      for (int j = 0; j < n; j++) {
        float b = Math.min(Math.max(xs[j] * 0x1p126f, 0f), 1f);
        v[j] = (b + (1 - b) * e[j]) / (1 + e[j]);
      }
      System.arraycopy(v, 0, y, start, n);
    }
  }

  @Override
  void gradient(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
    for (int i = from; i < to; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    return Activation.of(Activation.Kind.SIGMOID);
  }

  /** Elements per step of the products below: their sigmoids are still in the second-level cache when used. */
  private static final int CHUNK = 16 * FastExp.BLOCK;

  /** SiLU: x * sigmoid(x), chunk by chunk. */
  @Override
  public Tensor timesInput(Tensor input) {
    float[] x = input.data();
    return written(input, (y, from, to) -> {
      for (int start = from; start < to; start += CHUNK) {
        int end = Math.min(start + CHUNK, to);
        apply(x, y, start, end);
        for (int i = start; i < end; i++) y[i] = x[i] * y[i];
      }
    });
  }

  /** SiLU's gradient: dy * s * (1 + x * (1 - s)) with s = sigmoid(x), recomputed chunk by chunk. */
  @Override
  public Tensor timesInputGradient(Tensor input, Tensor gradient) {
    float[] x = input.data();
    float[] dy = gradient.data();
    return written(input, (dx, from, to) -> {
      for (int start = from; start < to; start += CHUNK) {
        int end = Math.min(start + CHUNK, to);
        apply(x, dx, start, end);
        for (int i = start; i < end; i++) dx[i] = dy[i] * dx[i] * (1 + x[i] * (1 - dx[i]));
      }
    });
  }
}
