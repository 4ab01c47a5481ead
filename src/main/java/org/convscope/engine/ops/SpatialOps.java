package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** Pooling, normalization and resizing. */
final class SpatialOps {
  private SpatialOps() {}

  static void register(OpRegistry registry) {
    registry.register("MaxPool", MaxPool::create);
    registry.register("AveragePool", AveragePool::create);
    registry.register("GlobalMaxPool", spec -> new GlobalMaxPool());
    registry.register("GlobalAveragePool", spec -> new GlobalAveragePool());
    registry.register("BatchNormalization", BatchNormalization::create);
    registry.register("LRN", Lrn::create);
    registry.register("Resize", Resize::create);
    registry.register("Upsample", Upsample::create);
  }
}
