package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * A oneDNN memory descriptor: the dimensions and layout of a float32 tensor. Descriptors made here are
 * owned and destroyed by {@link #close()}; those obtained from a {@link Primitive} are views owned by the
 * primitive, valid while it is, and closing them does nothing.
 */
public final class MemoryDesc implements AutoCloseable {
  private final dnnl_memory_desc handle;
  private final boolean owned;
  private boolean closed;
  private String layoutKey;
  /** Known once asked; volatile because a plan's descriptors are shared between threads. */
  private volatile long[] dims;
  private Boolean channelBlockedNatively;
  private Boolean channelsLast;
  private Long offset;
  private Long extentBytes;

  private MemoryDesc(dnnl_memory_desc handle, boolean owned) {
    this.handle = handle;
    this.owned = owned;
  }

  /** Dense row-major layout (NCHW for activations, OIHW for weights). */
  public static MemoryDesc plain(long... dims) {
    return strided(dims, rowMajorStrides(dims));
  }

  /** Dense layout with the given strides in elements, e.g. a permuted view of a row-major array. */
  public static MemoryDesc strided(long[] dims, long[] strides) {
    dnnl_memory_desc md = new dnnl_memory_desc();
    try (LongPointer d = new LongPointer(dims); LongPointer s = new LongPointer(strides)) {
      Dnnl.check(dnnl_memory_desc_create_with_strides(md, dims.length, d, dnnl_f32, s),
          "creating a memory descriptor for dims " + Arrays.toString(dims) + " strides " + Arrays.toString(strides));
    }
    return new MemoryDesc(md, true);
  }

  /** No layout yet: lets a primitive choose the layout that suits it best (usually a blocked one). */
  public static MemoryDesc any(long... dims) {
    dnnl_memory_desc md = new dnnl_memory_desc();
    Dnnl.check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dnnl_f32, dnnl_format_tag_any),
        "creating a memory descriptor for dims " + Arrays.toString(dims));
    return new MemoryDesc(md, true);
  }

  /** A fixed layout named by a oneDNN format tag, e.g. {@code dnnl_aBcd8b} (nChw8c). */
  public static MemoryDesc tagged(int tag, long... dims) {
    dnnl_memory_desc md = new dnnl_memory_desc();
    Dnnl.check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dnnl_f32, tag),
        "creating a memory descriptor for dims " + Arrays.toString(dims));
    return new MemoryDesc(md, true);
  }

  /**
   * The same memory read with its axes permuted as ONNX's Transpose does (output axis k is axis
   * {@code order[k]}): the view of a transposed tensor, which needs no copy.
   */
  public MemoryDesc permuted(int[] order) {
    // oneDNN's permutation says where each axis goes, the inverse of ONNX's.
    int[] destination = new int[order.length];
    for (int k = 0; k < order.length; k++) destination[order[k]] = k;
    dnnl_memory_desc md = new dnnl_memory_desc();
    Dnnl.check(dnnl_memory_desc_permute_axes(md, handle(), destination),
        "permuting the axes of " + layoutKey() + " by " + Arrays.toString(order));
    return new MemoryDesc(md, true);
  }

  /**
   * The same memory with other dimensions of the same element count, or null when this layout cannot be read so
   * (a blocked one split across the new dimensions).
   */
  public MemoryDesc reshaped(long[] newDims) {
    dnnl_memory_desc md = new dnnl_memory_desc();
    if (dnnl_memory_desc_reshape(md, handle(), newDims.length, newDims) != dnnl_success) return null;
    return new MemoryDesc(md, true);
  }

  /**
   * The part of this memory of dimensions {@code dims} from {@code offsets} on, read where it lies, or null when
   * this layout cannot be cut so (blocks that the offsets would split).
   */
  public MemoryDesc submemory(long[] dims, long[] offsets) {
    dnnl_memory_desc md = new dnnl_memory_desc();
    if (dnnl_memory_desc_create_submemory(md, handle(), dims, offsets) != dnnl_success) return null;
    return new MemoryDesc(md, true);
  }

  /** An owned copy, still valid when the primitive this one came from is gone. */
  public MemoryDesc copy() {
    dnnl_memory_desc md = new dnnl_memory_desc();
    Dnnl.check(dnnl_memory_desc_clone(md, handle()), "copying a memory descriptor");
    MemoryDesc copy = new MemoryDesc(md, true);
    // The same layout: what is known of it holds for the copy. A plan copies its output's layout for every
    // held output, whose readers ask for its key, dimensions and kind of layout; each query allocates native
    // pointers (MobileNetV2's saliency pass made some 400 of them), so these are asked once, here, and kept.
    copy.layoutKey = layoutKey();
    copy.dims = dims();
    copy.channelBlockedNatively = channelBlockedNatively();
    copy.channelsLast = channelsLast();
    return copy;
  }

  /** A view of a descriptor owned by someone else (a primitive descriptor). */
  static MemoryDesc view(dnnl_memory_desc handle) {
    return new MemoryDesc(handle, false);
  }

  public dnnl_memory_desc handle() {
    if (closed) throw new IllegalStateException("memory descriptor used after close");
    return handle;
  }

  /** Bytes needed by a buffer in this layout (blocked layouts may pad channels). */
  public long bytes() {
    return dnnl_memory_desc_get_size(handle());
  }

  /** Whether both describe the same dimensions and layout, so data needs no reorder between them. */
  public boolean sameLayout(MemoryDesc other) {
    return dnnl_memory_desc_equal(handle(), other.handle()) != 0;
  }

  public long[] dims() {
    // Kept: each query allocates native pointers, which JavaCPP accounts for at some cost, and a plan asks
    // for its output's dimensions on every run.
    long[] known = dims;
    if (known == null) dims = known = queryLongs(dnnl_query_dims, ndims());
    return known.clone();
  }

  /** Whether this is oneDNN's nChw16c or nChw8c as this CPU prefers ({@link Dnnl#channelBlock}). */
  public boolean channelBlockedNatively() {
    if (channelBlockedNatively == null) {
      boolean blocked = ndims() == 4 && queryInt(dnnl_query_inner_nblks_s32) == 1;
      channelBlockedNatively = blocked && queryLongs(dnnl_query_inner_blks, 1)[0] == Dnnl.channelBlock()
          && queryLongs(dnnl_query_inner_idxs, 1)[0] == 1;
    }
    return channelBlockedNatively;
  }

  /** Whether this is channels-last (nhwc): four dimensions, no blocking, the channels adjacent. */
  public boolean channelsLast() {
    if (channelsLast == null) {
      channelsLast = ndims() == 4 && queryInt(dnnl_query_inner_nblks_s32) == 0
          && queryLongs(dnnl_query_strides, 4)[1] == 1 && dims()[1] > 1;
    }
    return channelsLast;
  }

  /** Where a part of a larger tensor ({@link #submemory}) starts in it, in elements; 0 for a whole one. */
  public long offset() {
    Long known = offset;
    if (known == null) offset = known = queryLong(dnnl_query_submemory_offset_s64);
    return known;
  }

  /**
   * The bytes a buffer needs for this layout: up to the last element it places, which for a part of a larger
   * tensor read from its own first element ({@link #withoutOffset}) is less than oneDNN's size, the larger
   * tensor's.
   */
  public long extentBytes() {
    Long known = extentBytes;
    if (known == null) {
      long extent = bytes();
      int n = ndims();
      long[] d = dims();
      if (queryInt(dnnl_query_inner_nblks_s32) == 0 && Arrays.stream(d).allMatch(x -> x > 0)) {
        long[] strides = queryLongs(dnnl_query_strides, n);
        long last = offset();
        for (int k = 0; k < n; k++) last += (d[k] - 1) * strides[k];
        extent = Math.min(extent, (last + 1) * Float.BYTES);
      }
      extentBytes = known = extent;
    }
    return known;
  }

  /**
   * The same strides from the part's own first element, for a part ({@link #submemory}) of an unblocked layout;
   * null for a blocked one. Read from {@code buffer.from(offset())}.
   */
  public MemoryDesc withoutOffset() {
    int n = ndims();
    if (queryInt(dnnl_query_inner_nblks_s32) != 0) return null;
    return strided(dims(), queryLongs(dnnl_query_strides, n));
  }

  /**
   * Whether this describes memory of its own, start to end with no gaps: not a part of a larger tensor's
   * ({@link #submemory}), whose size is the larger tensor's. A channel-blocked layout counts its padding (13
   * channels in blocks of 16) as its own.
   */
  public boolean dense() {
    long elements = 1;
    for (long d : queryLongs(dnnl_query_padded_dims, ndims())) elements *= d;
    return offset() == 0 && bytes() == elements * Float.BYTES;
  }

  /**
   * A string that identifies the layout exactly (dimensions, strides and blocking), for use in cache keys:
   * two blocked descriptors with equal keys describe the same placement of every element.
   */
  public String layoutKey() {
    if (layoutKey == null) layoutKey = describeLayout();
    return layoutKey;
  }

  private String describeLayout() {
    int ndims = ndims();
    int nblocks = queryInt(dnnl_query_inner_nblks_s32);
    long offset = queryLong(dnnl_query_submemory_offset_s64);
    return "f32" + Arrays.toString(dims())
        + "/strides" + Arrays.toString(queryLongs(dnnl_query_strides, ndims))
        + "/blocks" + Arrays.toString(queryLongs(dnnl_query_inner_blks, nblocks))
        + "@" + Arrays.toString(queryLongs(dnnl_query_inner_idxs, nblocks))
        // A part of a larger tensor (a slice) starts elsewhere; primitives made for it read from there.
        + (offset == 0 ? "" : "+" + offset);
  }

  private long queryLong(int what) {
    try (LongPointer result = new LongPointer(1)) {
      Dnnl.check(dnnl_memory_desc_query(handle(), what, result), "querying a memory descriptor");
      return result.get();
    }
  }

  private int ndims() {
    return queryInt(dnnl_query_ndims_s32);
  }

  private int queryInt(int what) {
    try (IntPointer result = new IntPointer(1)) {
      Dnnl.check(dnnl_memory_desc_query(handle(), what, result), "querying a memory descriptor");
      return result.get();
    }
  }

  /** Array queries return a pointer to the descriptor's own array, valid while the descriptor is. */
  private long[] queryLongs(int what, int count) {
    long[] out = new long[count];
    if (count == 0) return out;
    try (PointerPointer<?> result = new PointerPointer<>(1)) {
      Dnnl.check(dnnl_memory_desc_query(handle(), what, result), "querying a memory descriptor");
      new LongPointer(result.get(0)).get(out);
    }
    return out;
  }

  static long[] rowMajorStrides(long[] dims) {
    long[] strides = new long[dims.length];
    long s = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= dims[i];
    }
    return strides;
  }

  @Override
  public void close() {
    if (owned && !closed) Dnnl.check(dnnl_memory_desc_destroy(handle), "destroying a memory descriptor");
    closed = true;
  }
}
