package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/** Joins its inputs along {@code axis} (negative counts from the end). Its gradient splits the output gradient. */
public final class Concat implements Op {
  private final int axis;

  public Concat(int axis) {
    this.axis = axis;
  }

  static Concat fromSpec(OpSpec spec) {
    if (!spec.attributes().has("axis")) throw spec.invalid("the axis attribute is missing");
    if (spec.inputCount() == 0) throw spec.invalid("there is nothing to concatenate");
    return new Concat(Math.toIntExact(spec.attributes().requireInt("axis")));
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {AxisBlocks.join(inputs, Shapes.axis(axis, inputs[0].rank()))};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    int a = Shapes.axis(axis, inputs[0].rank());
    int[] sizes = new int[inputs.length];
    for (int i = 0; i < inputs.length; i++) sizes[i] = inputs[i].dim(a);
    Tensor[] grads = AxisBlocks.split(outputGrads[0], a, sizes);
    for (int i = 0; i < grads.length; i++) if (!needed[i]) grads[i] = null;
    return grads;
  }
}
