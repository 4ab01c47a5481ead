package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** Convolution and transposed convolution, backed by oneDNN. */
final class ConvolutionOps {
  private ConvolutionOps() {}

  static void register(OpRegistry registry) {
    registry.register("Conv", Conv::new);
    registry.register("ConvTranspose", ConvTranspose::new);
  }
}
