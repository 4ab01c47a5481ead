package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.NonDifferentiable;
import org.convscope.tensor.Tensor;

/** The number of elements of the input, as an int64 scalar. */
public final class Size implements NonDifferentiable {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {Tensor.ofLongs(new long[] {inputs[0].size()})};
  }
}
