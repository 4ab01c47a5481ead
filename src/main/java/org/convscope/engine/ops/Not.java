package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.NonDifferentiable;
import org.convscope.tensor.Tensor;

/** Logical not of an ONNX bool tensor, held as int64: 1 where the input is 0, else 0. */
public final class Not implements NonDifferentiable {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    long[] x = inputs[0].longs();
    long[] out = new long[x.length];
    for (int i = 0; i < x.length; i++) out[i] = x[i] == 0 ? 1 : 0;
    return new Tensor[] {Tensor.ofLongs(out, inputs[0].shape())};
  }
}
