package org.convscope.engine.ops;

import org.convscope.engine.OpRegistry;

/** Activations, broadcasting arithmetic, matrix products, softmax and reductions. */
final class PointwiseOps {
  private PointwiseOps() {}

  static void register(OpRegistry registry) {
    registry.register("Relu", spec -> new Relu());
    registry.register("LeakyRelu", spec -> new LeakyRelu(spec.attributes().getFloat("alpha", 0.01f)));
    registry.register("PRelu", spec -> new PRelu());
    registry.register("Elu", spec -> new Elu(spec.attributes().getFloat("alpha", 1f)));
    registry.register("Sigmoid", spec -> new Sigmoid());
    registry.register("Tanh", spec -> new Tanh());
    registry.register("HardSigmoid",
        spec -> new HardSigmoid(spec.attributes().getFloat("alpha", 0.2f), spec.attributes().getFloat("beta", 0.5f)));
    registry.register("HardSwish", spec -> new HardSwish());
    registry.register("Softplus", spec -> new Softplus());
    registry.register("Clip", Clip::create);

    registry.register("Add", spec -> new Add());
    registry.register("Sub", spec -> new Sub());
    registry.register("Mul", spec -> new Mul());
    registry.register("Div", spec -> new Div());
    registry.register("Sum", spec -> new Sum());

    registry.register("MatMul", spec -> new MatMul());
    registry.register("Gemm", Gemm::create);

    registry.register("Softmax", Softmax::create);
    registry.register("LogSoftmax", LogSoftmax::create);

    registry.register("ReduceSum", ReduceSum::create);
    registry.register("ReduceMean", ReduceMean::create);
  }
}
