package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** Pooling, normalization and resizing. */
final class SpatialOps {
  private SpatialOps() {}

  static void register(OpRegistry registry) {
  }
}
