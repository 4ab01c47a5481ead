package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** The ops ConvScope runs, by ONNX op type. Each group registers its ops in one place. */
public final class StandardOps {
  private static final OpRegistry REGISTRY = build();

  private StandardOps() {}

  public static OpRegistry registry() {
    return REGISTRY;
  }

  private static OpRegistry build() {
    OpRegistry registry = new OpRegistry();
    PointwiseOps.register(registry);
    TensorOps.register(registry);
    MathOps.register(registry);
    ConvolutionOps.register(registry);
    SpatialOps.register(registry);
    return registry;
  }
}
