package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.convscope.tensor.Tensor;

/**
 * Checks an op's backward pass against central finite differences. The loss is a fixed random projection
 * of the outputs, L = sum_k w_k * y_k, accumulated in double precision, so the only float32 error left is
 * the op's own; the analytic gradient is the op's backward pass seeded with w.
 */
public final class GradCheck {
  private GradCheck() {}

  /** Checks every float input of the op, at up to 64 positions each. */
  public static void check(Op op, Tensor... inputs) {
    boolean[] wrt = new boolean[inputs.length];
    for (int i = 0; i < inputs.length; i++) wrt[i] = inputs[i] != null && inputs[i].isFloat();
    check(op, ExecutionContext.inference(), inputs, wrt, 1e-2, 2e-2);
  }

  /**
   * @param wrt which inputs to check
   * @param eps the finite-difference step
   * @param tolerance allowed |analytic - numeric| relative to max(1, |numeric|), summed over the gradient's scale
   */
  public static void check(Op op, ExecutionContext context, Tensor[] inputs, boolean[] wrt, double eps,
      double tolerance) {
    Tensor[] outputs = op.forward(context, inputs);
    Random random = new Random(42);
    Tensor[] weights = new Tensor[outputs.length];
    for (int k = 0; k < outputs.length; k++) {
      if (!outputs[k].isFloat()) {
        weights[k] = Tensor.zeros(outputs[k].dtype(), outputs[k].shape()); // int outputs (masks, indices) carry no gradient
        continue;
      }
      float[] w = new float[outputs[k].size()];
      for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian();
      weights[k] = Tensor.of(w, outputs[k].shape());
    }
    Tensor[] analytic = op.backward(context, inputs, outputs, weights, wrt);
    for (int in = 0; in < inputs.length; in++) {
      if (!wrt[in]) continue;
      if (analytic[in] == null) fail("backward returned no gradient for input " + in);
      float[] x = inputs[in].data();
      float[] g = analytic[in].data();
      double scale = 0;
      for (float v : g) scale = Math.max(scale, Math.abs(v));
      int positions = Math.min(64, x.length);
      for (int p = 0; p < positions; p++) {
        int i = x.length <= 64 ? p : random.nextInt(x.length);
        float saved = x[i];
        // markModified after each in-place write, as the Tensor contract asks: ops cache derived copies
        // (oneDNN's reordered weights) by tensor version.
        x[i] = (float) (saved + eps);
        inputs[in].markModified();
        double plus = loss(op, context, inputs, weights);
        x[i] = (float) (saved - eps);
        inputs[in].markModified();
        double minus = loss(op, context, inputs, weights);
        x[i] = saved;
        inputs[in].markModified();
        double numeric = (plus - minus) / (2 * eps);
        double err = Math.abs(numeric - g[i]);
        if (err > tolerance * Math.max(1.0, Math.max(Math.abs(numeric), scale))) {
          fail(String.format("input %d element %d: analytic %.6g, numeric %.6g (scale %.3g)", in, i, g[i], numeric, scale));
        }
      }
    }
  }

  private static double loss(Op op, ExecutionContext context, Tensor[] inputs, Tensor[] weights) {
    Tensor[] outputs = op.forward(context, inputs);
    double sum = 0;
    for (int k = 0; k < outputs.length; k++) {
      if (!outputs[k].isFloat()) continue;
      float[] y = outputs[k].data();
      float[] w = weights[k].data();
      for (int i = 0; i < y.length; i++) sum += (double) y[i] * w[i];
    }
    return sum;
  }

  /** A tensor of N(0,1) values, away from zero by at least {@code margin} (to keep clear of kinks like ReLU's). */
  public static Tensor randn(long seed, double margin, int... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      double v;
      do v = r.nextGaussian(); while (Math.abs(v) < margin);
      d[i] = (float) v;
    }
    return t;
  }
}
