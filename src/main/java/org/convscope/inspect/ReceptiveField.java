package org.convscope.inspect;

/**
 * Where a unit of a spatial tensor looks in the input image, exactly, per axis: the unit at index i covers
 * input pixels {@code start + i*jump} to {@code start + i*jump + size - 1}. Start can be negative and the
 * end can pass the image border, where padding is read. A global field covers the whole input.
 *
 * <p>Each side of a unit's box that lies inside the image is exactly where the unit's view ends. A side beyond
 * the border is cut at the border, and there the pixels the unit actually sees may stop a little short of it:
 * pixels reached only through a later layer's padding, left over by a stride, or between dilated taps. The box
 * is a box: with dilation or strides larger than kernels it also holds pixels the unit skips.
 */
public record ReceptiveField(Axis height, Axis width, boolean global) {

  /** One axis of a receptive field. */
  public record Axis(int size, int jump, int start) {
    /** First input pixel covered by unit {@code index}. */
    public int first(int index) {
      return start + index * jump;
    }

    /** Last input pixel covered by unit {@code index}. */
    public int last(int index) {
      return first(index) + size - 1;
    }

    /** After a window of {@code kernel} taps {@code dilation} apart, moved by {@code stride}, padded by {@code padBegin}. */
    Axis window(int kernel, int stride, int dilation, int padBegin) {
      int effective = dilation * (kernel - 1) + 1;
      return new Axis(size + (effective - 1) * jump, jump * stride, start - padBegin * jump);
    }

    /** The smallest field containing both (the paths of a branch joining). */
    Axis union(Axis other) {
      int begin = Math.min(start, other.start);
      int end = Math.max(start + size, other.start + other.size);
      return new Axis(end - begin, Math.max(jump, other.jump), begin);
    }
  }

  /** The input itself: each pixel sees itself. */
  public static final ReceptiveField PIXEL = new ReceptiveField(new Axis(1, 1, 0), new Axis(1, 1, 0), false);

  /** A field covering the whole input, for tensors after global pooling or flattening. */
  public static ReceptiveField global(int inputHeight, int inputWidth) {
    return new ReceptiveField(new Axis(inputHeight, inputHeight, 0), new Axis(inputWidth, inputWidth, 0), true);
  }

  ReceptiveField union(ReceptiveField other) {
    if (global) return this;
    if (other.global) return other;
    return new ReceptiveField(height.union(other.height), width.union(other.width), false);
  }

  /** "size 35x35, jump 8x8, start -13,-13", or "global". */
  public String describe() {
    if (global) return "global";
    String size = height.size == width.size ? String.valueOf(height.size) : height.size + "x" + width.size;
    String jump = height.jump == width.jump ? String.valueOf(height.jump) : height.jump + "x" + width.jump;
    String start = height.start == width.start ? String.valueOf(height.start) : height.start + "," + width.start;
    return "size " + size + ", jump " + jump + ", start " + start;
  }
}
