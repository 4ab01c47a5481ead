package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** Activations, broadcasting arithmetic, matrix products, softmax and reductions. */
final class PointwiseOps {
  private PointwiseOps() {}

  static void register(OpRegistry registry) {
    registry.register("Relu", spec -> new Relu());
  }
}
