package org.convscope.engine;

import org.convscope.engine.ops.StandardOps;
import org.convscope.tensor.Tensor;

/** A test op that passes its input on, or throws while {@link #failing} is set: for runs that fail midway. */
final class Tripwire implements Op {
  static volatile boolean failing;

  /** The standard ops and this one, as op type "Tripwire". */
  static OpRegistry registry() {
    OpRegistry registry = new OpRegistry().register("Tripwire", spec -> new Tripwire());
    for (String type : StandardOps.registry().opTypes()) registry.register(type, StandardOps.registry()::create);
    return registry;
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    if (failing) throw new IllegalStateException("tripped");
    return new Tensor[] {inputs[0]};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    return new Tensor[] {outputGrads[0]};
  }
}
