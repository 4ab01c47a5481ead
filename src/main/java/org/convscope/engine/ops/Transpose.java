package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.OpSpec;
import org.convscope.engine.Parallel;
import org.convscope.engine.PermutingOp;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Permutes the axes: output axis k is input axis perm[k]. Without perm the axes are reversed. The backward pass
 * permutes the gradient back with the inverse permutation.
 *
 * <p>Float tensors are copied by {@link Permutation}, which reduces a permutation to copies of contiguous rows or
 * to 2-D transposes in cache-sized tiles (ConvNeXt's NCHW to NHWC and back are each one [C, H*W] transpose per
 * image), split over the cores. Integer tensors (shapes and indices, small) go through an {@link ElementMap}.
 *
 * <p>A held tensor, and a held gradient, are not copied at all: the result reads the same memory through
 * permuted strides ({@link HeldTensor#permuted}).
 */
public final class Transpose implements PermutingOp, HeldForwardOp, HeldGradientOp {
  /** Side of the square tiles a transpose copies, so that the lines it reads and writes stay in cache. */
  private static final int TILE = 32;

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
    Tensor x = inputs[0];
    return new Tensor[] {x.isFloat() ? permute(x, permutation(x.rank())) : map(x.shape()).apply(x, 0)};
  }

  /** The held input read through permuted strides: no copy at all. */
  @Override
  public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
    return held[0] == null ? null : held[0].permuted(permutation(held[0].shape().length));
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    if (!needed[0]) return new Tensor[] {null};
    return new Tensor[] {permute(outputGrads[0], inversePermutation(outputGrads[0].rank()))};
  }

  /** The permutation that undoes this one for a tensor of {@code rank} axes: the gradient's. */
  private int[] inversePermutation(int rank) {
    int[] order = permutation(rank);
    int[] inverse = new int[order.length];
    for (int k = 0; k < order.length; k++) inverse[order[k]] = k;
    return inverse;
  }

  /**
   * The gradient permuted back without a copy: a held dy read through the inverse permutation, or, for a reader
   * that takes it held, dy's array copied once into native memory and read so (ConvNeXt's depthwise
   * convolution then reads the layer norm's channels-last gradient as the channels-last tensor it is).
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!needed[0]) return new Value[] {null};
    int[] inverse = inversePermutation(dy.shape().length);
    if (dy.held() != null) {
      HeldTensor dx = dy.held().permuted(inverse);
      return dx == null ? null : new Value[] {Value.of(dx, holdResult)};
    }
    if (!holdResult || !dy.tensor().isFloat()) return null;
    try (BlockedTensor rows = BlockedTensor.rowMajor(dy.tensor())) {
      return new Value[] {new Value(null, rows.permuted(inverse))};
    }
  }

  /** The backward pass needs only the shapes, which the output gradient carries. */
  @Override
  public boolean backwardReadsInput(int j, boolean[] needed) {
    return false;
  }

  @Override
  public boolean backwardReadsOutput(int j) {
    return false;
  }

  /** x with output axis k taken from x's axis order[k]. */
  static Tensor permute(Tensor x, int[] order) {
    int[] shape = x.shape();
    int[] outShape = new int[order.length];
    for (int k = 0; k < order.length; k++) outShape[k] = shape[order[k]];
    float[] out = new float[x.size()];
    Permutation.of(shape, order).copy(x.data(), out);
    return Tensor.of(out, outShape);
  }

  /**
   * A permutation on as few axes as it can be written with: output axes that are consecutive in the input too
   * merge into one, and axes of size 1 drop out. Axis k of the result has size {@code dims[k]}, and moving one
   * step along it moves {@code from[k]} elements in the input.
   */
  record Permutation(int[] dims, int[] from) {
    static Permutation of(int[] shape, int[] order) {
      int[] strides = Shapes.strides(shape);
      int[] dims = new int[order.length];
      int[] from = new int[order.length];
      int rank = 0;
      for (int axis : order) {
        if (shape[axis] == 1) continue;
        if (rank > 0 && from[rank - 1] == strides[axis] * shape[axis]) {
          dims[rank - 1] *= shape[axis];
          from[rank - 1] = strides[axis];
        } else {
          dims[rank] = shape[axis];
          from[rank] = strides[axis];
          rank++;
        }
      }
      return new Permutation(Arrays.copyOf(dims, rank), Arrays.copyOf(from, rank));
    }

    /**
     * Writes {@code in} permuted into {@code out}. When the last output axis is contiguous in the input too, the
     * copy is one of whole rows; otherwise it is a 2-D transpose between that axis and the one the input has
     * contiguous, repeated for every position along the other axes. Each output element is written once, by
     * one thread, whatever the split.
     */
    void copy(float[] in, float[] out) {
      int rank = dims.length;
      if (out.length == 0) return;
      if (rank == 0 || from[rank - 1] == 1) {
        int row = rank == 0 ? out.length : dims[rank - 1];
        int rows = out.length / row;
        Parallel.forRange(rows, Math.max(1, Parallel.ELEMENTWISE_GRAIN / row), (r0, r1) -> {
          for (int r = r0; r < r1; r++) System.arraycopy(in, inputOffset(r, rank - 1, -1), out, r * row, row);
        });
        return;
      }
      int inner = contiguousAxis();
      int cols = dims[rank - 1];
      int colStride = from[rank - 1];
      int rows = dims[inner];
      int rowStride = Shapes.strides(dims)[inner]; // in the output
      int tiles = (rows + TILE - 1) / TILE;
      int blocks = out.length / (rows * cols); // positions along the other axes
      int grain = Math.max(1, Parallel.ELEMENTWISE_GRAIN / (TILE * cols));
      Parallel.forRange(blocks * tiles, grain, (u0, u1) -> {
        for (int u = u0; u < u1; u++) {
          int block = u / tiles;
          int base = inputOffset(block, rank - 1, inner);
          int outBase = outputOffset(block, inner);
          int i0 = (u % tiles) * TILE;
          int i1 = Math.min(rows, i0 + TILE);
          for (int j0 = 0; j0 < cols; j0 += TILE) {
            int j1 = Math.min(cols, j0 + TILE);
            for (int i = i0; i < i1; i++) {
              int o = outBase + i * rowStride;
              int s = base + i;
              for (int j = j0; j < j1; j++) out[o + j] = in[s + j * colStride];
            }
          }
        }
      });
    }

    /** The axis that is contiguous in the input: there is one unless every axis had size 1. */
    private int contiguousAxis() {
      for (int k = 0; k < from.length; k++) if (from[k] == 1) return k;
      throw new IllegalStateException("no contiguous axis in " + Arrays.toString(from));
    }

    /** The input offset of position {@code index} (row-major) along the first {@code axes} axes, skipping {@code skip}. */
    private int inputOffset(int index, int axes, int skip) {
      int offset = 0;
      for (int k = axes - 1; k >= 0; k--) {
        if (k == skip) continue;
        offset += (index % dims[k]) * from[k];
        index /= dims[k];
      }
      return offset;
    }

    /** The output offset of block {@code block}: its position along every axis but {@code skip} and the last. */
    private int outputOffset(int block, int skip) {
      int offset = 0;
      int stride = dims[dims.length - 1];
      for (int k = dims.length - 2; k >= 0; k--) {
        if (k != skip) {
          offset += (block % dims[k]) * stride;
          block /= dims[k];
        }
        stride *= dims[k];
      }
      return offset;
    }
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

  @Override
  public int[] permutation(int rank) {
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
