package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Repeats the input along each axis as many times as the second input (int64, one count per axis) says. The
 * gradient sums over the copies.
 */
public final class Tile implements Op {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {map(inputs[0].shape(), inputs[1].longs()).apply(inputs[0], 0)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    int[] shape = inputs[0].shape();
    return new Tensor[] {map(shape, inputs[1].longs()).gradient(outputGrads[0], shape), null};
  }

  /** Output coordinate c on axis k copies input coordinate c mod dim k. */
  private static ElementMap map(int[] shape, long[] repeats) {
    if (repeats.length != shape.length) {
      throw new IllegalArgumentException("repeats has " + repeats.length + " entries for an input of rank " + shape.length);
    }
    int[] strides = Shapes.strides(shape);
    int[][] axisOffsets = new int[shape.length][];
    for (int k = 0; k < shape.length; k++) {
      if (repeats[k] < 0) throw new IllegalArgumentException("repeats must not be negative, got " + repeats[k]);
      axisOffsets[k] = new int[Math.toIntExact(shape[k] * repeats[k])];
      for (int c = 0; c < axisOffsets[k].length; c++) axisOffsets[k][c] = (c % shape[k]) * strides[k];
    }
    return ElementMap.of(axisOffsets);
  }
}
