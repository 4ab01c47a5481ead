package org.convscope.train;

import java.util.HashMap;
import java.util.Map;
import org.convscope.tensor.Tensor;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with decoupled weight decay
 * (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR 2019), so that decay does not
 * pass through the adaptive scaling.
 */
public final class Adam implements Optimizer {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private double rate;
  private final double weightDecay;
  private final Map<String, float[]> firstMoment = new HashMap<>();
  private final Map<String, float[]> secondMoment = new HashMap<>();
  private int steps;

  public Adam(double rate, double weightDecay) {
    if (!(rate > 0) || weightDecay < 0) throw new IllegalArgumentException("Adam needs rate > 0 and weight decay >= 0");
    this.rate = rate;
    this.weightDecay = weightDecay;
  }

  @Override
  public void step(Map<String, Tensor> parameters, Map<String, Tensor> gradients) {
    steps++;
    double correction1 = 1 - Math.pow(BETA1, steps);
    double correction2 = 1 - Math.pow(BETA2, steps);
    float stepSize = (float) (rate / correction1);
    float decay = (float) (rate * weightDecay);
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      float[] w = parameters.get(e.getKey()).data();
      float[] g = e.getValue().data();
      float[] m = firstMoment.computeIfAbsent(e.getKey(), k -> new float[w.length]);
      float[] v = secondMoment.computeIfAbsent(e.getKey(), k -> new float[w.length]);
      for (int i = 0; i < w.length; i++) {
        m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * g[i]);
        v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * g[i] * g[i]);
        double denominator = Math.sqrt(v[i] / correction2) + EPSILON;
        w[i] -= decay * w[i] + stepSize * (float) (m[i] / denominator);
      }
      parameters.get(e.getKey()).markModified();
    }
  }

  @Override
  public void learningRate(double newRate) {
    rate = newRate;
  }
}
