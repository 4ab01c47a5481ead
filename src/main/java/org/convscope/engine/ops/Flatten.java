package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/** Flattens to 2-D: the axes before {@code axis} make the rows, the others the columns. */
public final class Flatten extends ReshapingOp {
  private final int axis;

  /** @param axis in [-rank, rank]; negative counts from the end */
  public Flatten(int axis) {
    this.axis = axis;
  }

  static Flatten fromSpec(OpSpec spec) {
    return new Flatten(Math.toIntExact(spec.attributes().getInt("axis", 1)));
  }

  @Override
  int[] outputShape(int[] shape, Tensor[] inputs) {
    int a = axis < 0 ? axis + shape.length : axis;
    if (a < 0 || a > shape.length) {
      throw new IllegalArgumentException("Flatten axis " + axis + " is out of range for rank " + shape.length);
    }
    int[] rows = Arrays.copyOfRange(shape, 0, a);
    int[] columns = Arrays.copyOfRange(shape, a, shape.length);
    return new int[] {Shapes.checkedSize(rows), Shapes.checkedSize(columns)};
  }
}
