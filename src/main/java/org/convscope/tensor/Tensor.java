package org.convscope.tensor;

import java.util.Arrays;

/**
 * A dense, row-major tensor of float32 or int64 values with an immutable shape.
 *
 * <p>Float tensors carry the network's data; int64 tensors carry what ONNX shape arithmetic produces
 * (Shape, Gather on shapes, Reshape targets). A tensor owns its array: ops allocate new tensors and never
 * write into their inputs, so tensors recorded for the backward pass stay valid. The one exception is a
 * trainer updating its parameters in place, which then calls {@link #markModified()} so that caches keyed
 * on the tensor (oneDNN's reordered weights) see the change.
 */
public final class Tensor {
  private final int[] shape;
  private final float[] floats;
  private final long[] longs;
  private volatile long version;

  private Tensor(int[] shape, float[] floats, long[] longs) {
    this.shape = shape.clone();
    for (int d : this.shape) {
      if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
    }
    long n = Shapes.size(this.shape);
    int length = floats != null ? floats.length : longs.length;
    if (n != length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + n + " values but the data has " + length);
    }
    this.floats = floats;
    this.longs = longs;
  }

  /** A float tensor over {@code data} (not copied). */
  public static Tensor of(float[] data, int... shape) {
    return new Tensor(shape, data, null);
  }

  /** An int64 tensor over {@code data} (not copied). */
  public static Tensor ofLongs(long[] data, int... shape) {
    return new Tensor(shape, null, data);
  }

  public static Tensor zeros(int... shape) {
    return new Tensor(shape, new float[Shapes.checkedSize(shape)], null);
  }

  public static Tensor full(float value, int... shape) {
    float[] data = new float[Shapes.checkedSize(shape)];
    Arrays.fill(data, value);
    return new Tensor(shape, data, null);
  }

  public static Tensor scalar(float value) {
    return new Tensor(new int[0], new float[] {value}, null);
  }

  /** A 1-D int64 tensor, as ONNX uses for shapes, axes and indices. */
  public static Tensor vector(long... values) {
    return new Tensor(new int[] {values.length}, null, values.clone());
  }

  /** A zero-filled tensor of the given element type and shape. */
  public static Tensor zeros(DType type, int... shape) {
    int n = Shapes.checkedSize(shape);
    return type == DType.FLOAT ? new Tensor(shape, new float[n], null) : new Tensor(shape, null, new long[n]);
  }

  public DType dtype() {
    return floats != null ? DType.FLOAT : DType.INT64;
  }

  public boolean isFloat() {
    return floats != null;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code axis}; negative axes count from the end. */
  public int dim(int axis) {
    return shape[axis < 0 ? axis + shape.length : axis];
  }

  public int size() {
    return floats != null ? floats.length : longs.length;
  }

  /** The float values, row-major. The array is shared, not copied. */
  public float[] data() {
    if (floats == null) throw new IllegalStateException("tensor of shape " + Arrays.toString(shape) + " is int64, not float");
    return floats;
  }

  /** The int64 values, row-major. The array is shared, not copied. */
  public long[] longs() {
    if (longs == null) throw new IllegalStateException("tensor of shape " + Arrays.toString(shape) + " is float, not int64");
    return longs;
  }

  /** Values as longs whatever the type (floats are truncated), for shape and index arguments. */
  public long[] toLongs() {
    if (longs != null) return longs.clone();
    long[] out = new long[floats.length];
    for (int i = 0; i < out.length; i++) out[i] = (long) floats[i];
    return out;
  }

  /** Values as floats whatever the type. */
  public float[] toFloats() {
    if (floats != null) return floats.clone();
    float[] out = new float[longs.length];
    for (int i = 0; i < out.length; i++) out[i] = longs[i];
    return out;
  }

  /** The same values viewed with another shape of equal size (the data is shared). */
  public Tensor reshape(int... newShape) {
    return new Tensor(newShape, floats, longs);
  }

  public Tensor copy() {
    return new Tensor(shape, floats == null ? null : floats.clone(), longs == null ? null : longs.clone());
  }

  /** The float value at a full multi-index. */
  public float get(int... index) {
    return data()[Shapes.offset(shape, index)];
  }

  /** A slice along the first axis: items {@code from} (inclusive) to {@code to} (exclusive), copied. */
  public Tensor slice0(int from, int to) {
    if (rank() == 0 || from < 0 || to > shape[0] || from > to) {
      throw new IndexOutOfBoundsException("slice [" + from + "," + to + ") of a tensor with shape " + Arrays.toString(shape));
    }
    int[] s = shape.clone();
    s[0] = to - from;
    int inner = shape[0] == 0 ? 0 : size() / shape[0];
    if (floats != null) return new Tensor(s, Arrays.copyOfRange(floats, from * inner, to * inner), null);
    return new Tensor(s, null, Arrays.copyOfRange(longs, from * inner, to * inner));
  }

  /** Version counter for in-place updates; see {@link #markModified()}. */
  public long version() {
    return version;
  }

  /** Call after writing into {@link #data()} in place, so caches derived from this tensor refresh. */
  public void markModified() {
    version++;
  }

  @Override
  public String toString() {
    return "Tensor" + dtype().name().toLowerCase() + Arrays.toString(shape);
  }
}
