package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/** Permutes the axes: output axis k is input axis perm[k]. Without perm the axes are reversed. */
public final class Transpose implements Op {
  /** The permutation, or null for the reversal. */
  private final int[] perm;

  public Transpose(int[] perm) {
    this.perm = perm == null ? null : perm.clone();
  }

  static Transpose fromSpec(OpSpec spec) {
    int[] perm = spec.attributes().getIntArray("perm", null);
    if (perm != null) {
      boolean[] seen = new boolean[perm.length];
      for (int p : perm) {
        if (p < 0 || p >= perm.length || seen[p]) throw spec.invalid("perm " + Arrays.toString(perm) + " is not a permutation");
        seen[p] = true;
      }
    }
    return new Transpose(perm);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {map(inputs[0].shape()).apply(inputs[0], 0)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    return new Tensor[] {needed[0] ? map(inputs[0].shape()).gradient(outputGrads[0], inputs[0].shape()) : null};
  }

  private ElementMap map(int[] shape) {
    int[] order = permutation(shape.length);
    int[] strides = Shapes.strides(shape);
    int[][] offsets = new int[shape.length][];
    for (int k = 0; k < shape.length; k++) {
      int axis = order[k];
      offsets[k] = new int[shape[axis]];
      for (int c = 0; c < shape[axis]; c++) offsets[k][c] = c * strides[axis];
    }
    return ElementMap.of(offsets);
  }

  private int[] permutation(int rank) {
    if (perm == null) {
      int[] reversed = new int[rank];
      for (int k = 0; k < rank; k++) reversed[k] = rank - 1 - k;
      return reversed;
    }
    if (perm.length != rank) {
      throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " does not fit an input of rank " + rank);
    }
    return perm;
  }
}
