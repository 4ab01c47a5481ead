package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Picks entries of the data along {@code axis} by index; negative indices count from the end. The output
 * shape is data.shape[:axis] + indices.shape + data.shape[axis+1:]. The gradient adds the output gradient
 * back into the picked entries, summing where an index repeats.
 */
public final class Gather implements Op {
  private final int axis;

  public Gather(int axis) {
    this.axis = axis;
  }

  static Gather fromSpec(OpSpec spec) {
    return new Gather(Math.toIntExact(spec.attributes().getInt("axis", 0)));
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {map(inputs[0].shape(), inputs[1]).apply(inputs[0], 0)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor[] grads = new Tensor[inputs.length];
    if (needed[0]) grads[0] = map(inputs[0].shape(), inputs[1]).gradient(outputGrads[0], inputs[0].shape());
    return grads;
  }

  /** Viewed as [outer, dim, inner], the data gives [outer, indices, inner]. */
  private ElementMap map(int[] shape, Tensor indices) {
    int a = Shapes.axis(axis, shape.length);
    int dim = shape[a];
    int inner = Shapes.checkedSize(Arrays.copyOfRange(shape, a + 1, shape.length));
    int outer = Shapes.checkedSize(Arrays.copyOfRange(shape, 0, a));
    long[] index = indices.toLongs();
    int[][] offsets = {new int[outer], new int[index.length], new int[inner]};
    for (int o = 0; o < outer; o++) offsets[0][o] = o * dim * inner;
    for (int j = 0; j < index.length; j++) {
      long i = index[j] < 0 ? index[j] + dim : index[j];
      if (i < 0 || i >= dim) {
        throw new IndexOutOfBoundsException("Gather index " + index[j] + " is out of range for axis " + axis
            + " of size " + dim);
      }
      offsets[1][j] = (int) i * inner;
    }
    for (int i = 0; i < inner; i++) offsets[2][i] = i;
    int[] outShape = new int[shape.length - 1 + indices.rank()];
    System.arraycopy(shape, 0, outShape, 0, a);
    System.arraycopy(indices.shape(), 0, outShape, a, indices.rank());
    System.arraycopy(shape, a + 1, outShape, a + indices.rank(), shape.length - a - 1);
    return ElementMap.of(offsets, outShape);
  }
}
