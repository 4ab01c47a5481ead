package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;

/**
 * Dropout as at inference: the output is the input and the optional mask keeps every element. ConvScope looks
 * inside trained networks, so the ratio and the training_mode input (opset 12) are ignored: a model is never
 * analysed through a random mask. The mask is float ones before opset 10 (type T in the spec) and, as the
 * engine holds booleans, int64 ones (true) from opset 10.
 */
public final class Dropout implements Op {
  /** The mask's element type, or null when the node does not output a mask. */
  private final DType maskType;

  public Dropout(DType maskType) {
    this.maskType = maskType;
  }

  static Dropout fromSpec(OpSpec spec) {
    if (spec.outputCount() < 2) return new Dropout(null);
    return new Dropout(spec.opset() < 10 ? DType.FLOAT : DType.INT64);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor x = inputs[0];
    if (maskType == null) return new Tensor[] {x};
    Tensor mask = Tensor.zeros(maskType, x.shape());
    if (mask.isFloat()) Arrays.fill(mask.data(), 1f);
    else Arrays.fill(mask.longs(), 1L);
    return new Tensor[] {x, mask};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor[] grads = new Tensor[inputs.length];
    if (needed[0]) grads[0] = outputGrads[0];
    return grads;
  }
}
