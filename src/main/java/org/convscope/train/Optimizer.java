package org.convscope.train;

import java.util.Map;
import org.convscope.tensor.Tensor;

/** Updates parameters in place from their gradients, one step at a time. */
public interface Optimizer {
  /** Applies one update; each parameter is marked modified so caches derived from it refresh. */
  void step(Map<String, Tensor> parameters, Map<String, Tensor> gradients);

  /** Changes the learning rate, for schedules. */
  void learningRate(double rate);
}
