package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * Passes its input through unchanged (the same tensor, not a copy: nothing writes into tensors, and weights
 * passed through keep their identity for caches). Exporters use it to share initializers.
 */
public final class Identity implements Op {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {inputs[0]};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    return new Tensor[] {needed[0] ? outputGrads[0] : null};
  }
}
