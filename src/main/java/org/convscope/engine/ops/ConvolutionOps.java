package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** Convolutions, pooling, normalization and resizing: the spatial ops, backed by oneDNN where it pays. */
final class ConvolutionOps {
  private ConvolutionOps() {}

  static void register(OpRegistry registry) {
  }
}
