package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** Activations, broadcasting arithmetic, matrix products, softmax and reductions. */
final class PointwiseOps {
  private PointwiseOps() {}

  static void register(OpRegistry registry) {
    registry.register("Relu", spec -> new Relu());

    registry.register("Add", spec -> new Add());
    registry.register("Sub", spec -> new Sub());
    registry.register("Mul", spec -> new Mul());
    registry.register("Div", spec -> new Div());
    registry.register("Sum", spec -> new Sum());
  }
}
