package org.convscope.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by ops and readers. */
public final class Shapes {
  private Shapes() {}

  public static long size(int[] shape) {
    long n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  /** Number of elements, failing clearly when it does not fit a Java array. */
  public static int checkedSize(int[] shape) {
    long n = size(shape);
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large (" + n + " values)");
    }
    return (int) n;
  }

  /** Dimensions given as longs (oneDNN's), each of which must fit an int. */
  public static int[] toInts(long[] dims) {
    int[] out = new int[dims.length];
    for (int i = 0; i < dims.length; i++) out[i] = Math.toIntExact(dims[i]);
    return out;
  }

  /** Dimensions as longs, as oneDNN takes them. */
  public static long[] toLongs(int[] dims) {
    long[] out = new long[dims.length];
    for (int i = 0; i < dims.length; i++) out[i] = dims[i];
    return out;
  }

  /** Row-major strides in elements. */
  public static int[] strides(int[] shape) {
    int[] strides = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= shape[i];
    }
    return strides;
  }

  public static int offset(int[] shape, int[] index) {
    if (index.length != shape.length) {
      throw new IllegalArgumentException("index of rank " + index.length + " for shape " + Arrays.toString(shape));
    }
    int off = 0;
    for (int i = 0; i < shape.length; i++) {
      if (index[i] < 0 || index[i] >= shape[i]) {
        throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape " + Arrays.toString(shape));
      }
      off = off * shape[i] + index[i];
    }
    return off;
  }

  /** Normalizes a possibly negative axis for a tensor of the given rank. */
  public static int axis(int axis, int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
    return a;
  }

  /** Multidirectional (numpy) broadcast of two shapes. */
  public static int[] broadcast(int[] a, int[] b) {
    int rank = Math.max(a.length, b.length);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  public static String toString(int[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) sb.append(',');
      sb.append(shape[i]);
    }
    return sb.append(']').toString();
  }
}
