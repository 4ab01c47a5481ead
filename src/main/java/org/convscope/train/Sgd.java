package org.convscope.train;

import java.util.HashMap;
import java.util.Map;
import org.convscope.tensor.Tensor;

/**
 * Stochastic gradient descent with momentum and L2 weight decay, in PyTorch's formulation:
 * v = momentum * v + (g + decay * w); w -= rate * v.
 */
public final class Sgd implements Optimizer {
  private double rate;
  private final double momentum;
  private final double weightDecay;
  private final Map<String, float[]> velocity = new HashMap<>();

  public Sgd(double rate, double momentum, double weightDecay) {
    if (!(rate > 0) || momentum < 0 || momentum >= 1 || weightDecay < 0) {
      throw new IllegalArgumentException("SGD needs rate > 0, 0 <= momentum < 1 and weight decay >= 0");
    }
    this.rate = rate;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
  }

  @Override
  public void step(Map<String, Tensor> parameters, Map<String, Tensor> gradients) {
    for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
      float[] w = parameters.get(e.getKey()).data();
      float[] g = e.getValue().data();
      float[] v = velocity.computeIfAbsent(e.getKey(), k -> new float[w.length]);
      float mu = (float) momentum;
      float decay = (float) weightDecay;
      float lr = (float) rate;
      for (int i = 0; i < w.length; i++) {
        v[i] = mu * v[i] + g[i] + decay * w[i];
        w[i] -= lr * v[i];
      }
      parameters.get(e.getKey()).markModified();
    }
  }

  @Override
  public void learningRate(double newRate) {
    rate = newRate;
  }
}
