package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * A copy of {@code data} with slices replaced by (or, with {@code reduction="add"}, added to by) the slices of
 * {@code updates}. The last dimension k of {@code indices} holds index tuples into data's first k dimensions
 * (negative ones count from the end); each picks a slice of data's remaining dimensions. PyTorch writes it for
 * in-place index assignments, such as Swin's attention mask. When indices repeat without a reduction the last
 * update wins, and only it gets the gradient. The multiplying, max and min reductions are not supported.
 */
public final class ScatterND implements Op {
  private final boolean add;

  public ScatterND(boolean add) {
    this.add = add;
  }

  static ScatterND create(OpSpec spec) {
    String reduction = spec.attributes().getString("reduction", "none");
    return switch (reduction) {
      case "none" -> new ScatterND(false);
      case "add" -> new ScatterND(true);
      default -> throw spec.invalid("reduction '" + reduction + "' is not supported, only 'none' and 'add'");
    };
  }

  /** Where each update slice goes: {@code offsets[u]} in data, {@code slice} elements long. */
  private record Targets(int[] offsets, int slice) {}

  private static Targets targets(Tensor data, Tensor indices, Tensor updates) {
    int[] shape = data.shape();
    int[] indexShape = indices.shape();
    int k = indexShape.length == 0 ? Integer.MAX_VALUE : indexShape[indexShape.length - 1];
    if (k > shape.length) {
      throw new IllegalArgumentException("indices of shape " + Shapes.toString(indexShape) + " do not index data of shape "
          + Shapes.toString(shape));
    }
    int[] expected = new int[indexShape.length - 1 + shape.length - k];
    System.arraycopy(indexShape, 0, expected, 0, indexShape.length - 1);
    System.arraycopy(shape, k, expected, indexShape.length - 1, shape.length - k);
    if (!Arrays.equals(expected, updates.shape())) {
      throw new IllegalArgumentException("updates should have shape " + Shapes.toString(expected) + " but have "
          + Shapes.toString(updates.shape()));
    }
    int[] strides = Shapes.strides(shape);
    long[] tuples = indices.longs();
    int[] offsets = new int[Shapes.checkedSize(Arrays.copyOf(indexShape, indexShape.length - 1))];
    for (int u = 0; u < offsets.length; u++) {
      int offset = 0;
      for (int j = 0; j < k; j++) {
        long i = tuples[u * k + j];
        if (i < -shape[j] || i >= shape[j]) {
          throw new IndexOutOfBoundsException("index " + i + " is out of range for dimension " + j + " of size " + shape[j]);
        }
        offset += (int) (i < 0 ? i + shape[j] : i) * strides[j];
      }
      offsets[u] = offset;
    }
    int slice = Shapes.checkedSize(Arrays.copyOfRange(shape, k, shape.length));
    return new Targets(offsets, slice);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor data = inputs[0];
    Tensor updates = inputs[2];
    if (data.dtype() != updates.dtype()) {
      throw new IllegalArgumentException("data is " + data.dtype() + " but updates are " + updates.dtype());
    }
    Targets t = targets(data, inputs[1], updates);
    Tensor out = data.copy();
    for (int u = 0; u < t.offsets.length; u++) {
      int to = t.offsets[u];
      int from = u * t.slice;
      if (out.isFloat()) {
        float[] o = out.data();
        float[] v = updates.data();
        for (int e = 0; e < t.slice; e++) o[to + e] = add ? o[to + e] + v[from + e] : v[from + e];
      } else {
        long[] o = out.longs();
        long[] v = updates.longs();
        for (int e = 0; e < t.slice; e++) o[to + e] = add ? o[to + e] + v[from + e] : v[from + e];
      }
    }
    return new Tensor[] {out};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Targets t = targets(inputs[0], inputs[1], inputs[2]);
    float[] g = outputGrads[0].data();
    float[] dData = g.clone();
    float[] dUpdates = new float[inputs[2].size()];
    // Walking the updates from the last, a replacing update owns the positions no later update wrote.
    boolean[] written = new boolean[g.length];
    for (int u = t.offsets.length - 1; u >= 0; u--) {
      int to = t.offsets[u];
      for (int e = 0; e < t.slice; e++) {
        if (add || !written[to + e]) dUpdates[u * t.slice + e] = g[to + e];
        written[to + e] = true;
        if (!add) dData[to + e] = 0;
      }
    }
    return new Tensor[] {
        needed[0] ? Tensor.of(dData, inputs[0].shape()) : null,
        null,
        needed[2] ? Tensor.of(dUpdates, inputs[2].shape()) : null};
  }
}
