package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Broadcasts the input to a shape given as the second input. As in numpy, the shapes broadcast both ways: a 1
 * in the target keeps the input's dimension, so the output has the broadcast of the two shapes. The gradient
 * sums over the repeated positions.
 */
public final class Expand implements Op {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor x = inputs[0];
    int[] target = Shapes.broadcast(x.shape(), Shapes.toInts(inputs[1].longs()));
    return new Tensor[] {map(x.shape(), target).apply(x, 0)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    int[] shape = inputs[0].shape();
    return new Tensor[] {map(shape, outputs[0].shape()).gradient(outputGrads[0], shape), null};
  }

  /**
   * Where each element of {@code from} broadcast to {@code to} comes from; {@code to} must be what
   * {@code from} broadcasts to. Shared by the ops that broadcast any number of operands (Where, Max, Mean).
   */
  static ElementMap map(int[] from, int[] to) {
    if (!Arrays.equals(Shapes.broadcast(from, to), to)) {
      throw new IllegalArgumentException("shape " + Shapes.toString(from) + " does not broadcast to " + Shapes.toString(to));
    }
    int skip = to.length - from.length;
    int[] strides = Shapes.strides(from);
    int[][] axisOffsets = new int[to.length][];
    for (int k = 0; k < to.length; k++) {
      axisOffsets[k] = new int[to[k]];
      boolean repeated = k < skip || from[k - skip] == 1;
      for (int c = 0; c < to[k] && !repeated; c++) axisOffsets[k][c] = c * strides[k - skip];
    }
    return ElementMap.of(axisOffsets);
  }

  /** The broadcast shape of all the given tensors. */
  static int[] broadcastShape(Tensor... tensors) {
    int[] shape = tensors[0].shape();
    for (int i = 1; i < tensors.length; i++) shape = Shapes.broadcast(shape, tensors[i].shape());
    return shape;
  }
}
