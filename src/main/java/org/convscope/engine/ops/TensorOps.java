package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** Ops that move, reshape, select or create tensors, including PyTorch's shape subgraphs. */
final class TensorOps {
  private TensorOps() {}

  static void register(OpRegistry registry) {
  }
}
