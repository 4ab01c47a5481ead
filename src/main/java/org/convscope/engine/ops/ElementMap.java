package org.convscope.engine.ops;

import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Where each output element of a data-movement op (Transpose, Slice, Gather, Pad) is copied from: the offset
 * of its source element in the input, or {@link #NONE} for elements the op fills with a constant. One map
 * serves both element types in the forward pass, and its transpose (a scatter-add) is the backward pass.
 *
 * @param shape the output shape
 * @param from for each output element, row-major, the offset of the input element it copies, or NONE
 */
record ElementMap(int[] shape, int[] from) {
  /** Marks an output element that copies nothing (Pad's constant border). */
  static final int NONE = -1;

  /**
   * Builds the map of an op that moves elements along each axis independently. {@code axisOffsets[k][c]} is
   * what output coordinate c on axis k adds to the source offset (its source coordinate times the source
   * stride), or NONE when that coordinate has no source. The map's axes are the rows of axisOffsets; the
   * output takes {@code shape}, which must hold as many elements.
   */
  static ElementMap of(int[][] axisOffsets, int[] shape) {
    int[] lengths = new int[axisOffsets.length];
    for (int k = 0; k < lengths.length; k++) lengths[k] = axisOffsets[k].length;
    int n = Shapes.checkedSize(lengths);
    if (n != Shapes.size(shape)) throw new IllegalArgumentException("element map does not fill shape " + Shapes.toString(shape));
    int[] from = new int[n];
    int[] coord = new int[lengths.length];
    for (int i = 0; i < n; i++) {
      int offset = 0;
      for (int k = 0; k < coord.length; k++) {
        int part = axisOffsets[k][coord[k]];
        if (part == NONE) {
          offset = NONE;
          break;
        }
        offset += part;
      }
      from[i] = offset;
      for (int k = coord.length - 1; k >= 0 && ++coord[k] == lengths[k]; k--) coord[k] = 0;
    }
    return new ElementMap(shape, from);
  }

  /** The same as {@link #of(int[][], int[])} with the output shaped like the map's axes. */
  static ElementMap of(int[][] axisOffsets) {
    int[] shape = new int[axisOffsets.length];
    for (int k = 0; k < shape.length; k++) shape[k] = axisOffsets[k].length;
    return of(axisOffsets, shape);
  }

  /** The output: a tensor of the source's element type with the copied elements, {@code fill} elsewhere. */
  Tensor apply(Tensor source, double fill) {
    if (source.isFloat()) {
      float[] in = source.data();
      float[] out = new float[from.length];
      for (int i = 0; i < out.length; i++) out[i] = from[i] == NONE ? (float) fill : in[from[i]];
      return Tensor.of(out, shape);
    }
    long[] in = source.longs();
    long[] out = new long[from.length];
    for (int i = 0; i < out.length; i++) out[i] = from[i] == NONE ? (long) fill : in[from[i]];
    return Tensor.ofLongs(out, shape);
  }

  /** The gradient with respect to the source: each output gradient added to the element it was copied from. */
  Tensor gradient(Tensor outputGrad, int[] sourceShape) {
    float[] g = outputGrad.data();
    float[] dx = new float[Shapes.checkedSize(sourceShape)];
    for (int i = 0; i < g.length; i++) {
      if (from[i] != NONE) dx[from[i]] += g[i];
    }
    return Tensor.of(dx, sourceShape);
  }
}
