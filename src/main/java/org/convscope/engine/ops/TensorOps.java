package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** Ops that move, reshape, select or create tensors, including PyTorch's shape subgraphs. */
final class TensorOps {
  private TensorOps() {}

  static void register(OpRegistry registry) {
    registry.register("Flatten", Flatten::fromSpec);
    registry.register("Reshape", Reshape::fromSpec);
    registry.register("Squeeze", Squeeze::fromSpec);
    registry.register("Unsqueeze", Unsqueeze::fromSpec);
    registry.register("Transpose", Transpose::fromSpec);
    registry.register("Concat", Concat::fromSpec);
    registry.register("Split", Split::fromSpec);
    registry.register("Slice", Slice::fromSpec);
    registry.register("Gather", Gather::fromSpec);
    registry.register("Pad", Pad::fromSpec);
    registry.register("Identity", spec -> new Identity());
    registry.register("Dropout", Dropout::fromSpec);
    registry.register("Shape", Shape::fromSpec);
    registry.register("Constant", Constant::fromSpec);
    registry.register("ConstantOfShape", ConstantOfShape::fromSpec);
    registry.register("Cast", Cast::fromSpec);
  }
}
