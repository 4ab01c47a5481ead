package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Joining tensors along an axis and splitting them back, for float and int64 tensors alike. Along one axis
 * every part is a run of contiguous blocks, so both directions are block copies; each is the other's gradient.
 */
final class AxisBlocks {
  private AxisBlocks() {}

  /** The parts side by side along {@code axis}; they must agree in element type and in every other dimension. */
  static Tensor join(Tensor[] parts, int axis) {
    int[] shape = parts[0].shape();
    int total = 0;
    for (Tensor part : parts) {
      int[] s = part.shape();
      boolean fits = s.length == shape.length && part.dtype() == parts[0].dtype();
      for (int i = 0; fits && i < s.length; i++) fits = i == axis || s[i] == shape[i];
      if (!fits) {
        throw new IllegalArgumentException("cannot concatenate " + describe(parts) + " along axis " + axis);
      }
      total += s[axis];
    }
    shape[axis] = total;
    Tensor joined = Tensor.zeros(parts[0].dtype(), shape);
    int inner = innerSize(shape, axis);
    int outer = outerSize(shape, axis);
    int offset = 0;
    for (Tensor part : parts) {
      int block = part.dim(axis) * inner;
      for (int o = 0; o < outer; o++) {
        System.arraycopy(storage(part), o * block, storage(joined), o * total * inner + offset, block);
      }
      offset += block;
    }
    return joined;
  }

  /** Consecutive parts of {@code whole} along {@code axis}, of the given sizes, which must add up to its dimension. */
  static Tensor[] split(Tensor whole, int axis, int[] sizes) {
    int[] shape = whole.shape();
    if (Arrays.stream(sizes).sum() != shape[axis] || Arrays.stream(sizes).anyMatch(s -> s < 0)) {
      throw new IllegalArgumentException("cannot split " + Shapes.toString(shape) + " along axis " + axis
          + " into parts of sizes " + Arrays.toString(sizes));
    }
    int inner = innerSize(shape, axis);
    int outer = outerSize(shape, axis);
    Tensor[] parts = new Tensor[sizes.length];
    int offset = 0;
    for (int p = 0; p < sizes.length; p++) {
      shape[axis] = sizes[p];
      parts[p] = Tensor.zeros(whole.dtype(), shape);
      int block = sizes[p] * inner;
      for (int o = 0; o < outer; o++) {
        System.arraycopy(storage(whole), o * whole.dim(axis) * inner + offset, storage(parts[p]), o * block, block);
      }
      offset += block;
    }
    return parts;
  }

  private static int innerSize(int[] shape, int axis) {
    return Shapes.checkedSize(Arrays.copyOfRange(shape, axis + 1, shape.length));
  }

  private static int outerSize(int[] shape, int axis) {
    return Shapes.checkedSize(Arrays.copyOfRange(shape, 0, axis));
  }

  /** The array behind a tensor, float[] or long[]. */
  private static Object storage(Tensor t) {
    return t.isFloat() ? t.data() : t.longs();
  }

  private static String describe(Tensor[] parts) {
    StringBuilder sb = new StringBuilder();
    for (Tensor t : parts) {
      if (sb.length() > 0) sb.append(", ");
      sb.append(t.dtype().name().toLowerCase()).append(Shapes.toString(t.shape()));
    }
    return sb.toString();
  }
}
