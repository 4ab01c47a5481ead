package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.NonDifferentiable;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * A tensor of the shape given by the int64 input, filled with the one-element {@code value} attribute (float
 * zero by default), of that value's element type.
 */
public final class ConstantOfShape implements NonDifferentiable {
  private final Tensor value;

  /** @param value a one-element tensor */
  public ConstantOfShape(Tensor value) {
    if (value.size() != 1) throw new IllegalArgumentException("the fill value must hold one element, not " + value.size());
    this.value = value;
  }

  static ConstantOfShape fromSpec(OpSpec spec) {
    Tensor value = spec.attributes().getTensor("value");
    if (value == null) return new ConstantOfShape(Tensor.scalar(0));
    if (value.size() != 1) throw spec.invalid("value must hold exactly one element, not " + value.size());
    return new ConstantOfShape(value);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    long[] dims = inputs[0].toLongs();
    int[] shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("ConstantOfShape cannot make shape " + Arrays.toString(dims));
      }
      shape[i] = (int) dims[i];
    }
    Tensor out = Tensor.zeros(value.dtype(), shape);
    if (value.isFloat()) Arrays.fill(out.data(), value.data()[0]);
    else Arrays.fill(out.longs(), value.longs()[0]);
    return new Tensor[] {out};
  }
}
