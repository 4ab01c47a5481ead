package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.convscope.engine.Activation;
import org.convscope.engine.HeldTensor;
import org.convscope.tensor.Tensor;

/**
 * An activation left in native memory, in the layout a primitive wrote it (usually channel-blocked), for the
 * next primitive to read without converting it to a Java array and back. Owns its layout and its buffer, which
 * goes back to the workspace it came from when closed; or, with handles made by {@link #share}, when the last
 * of them is closed.
 */
public final class BlockedTensor implements HeldTensor {
  private final Workspace owner;
  private final Thread ownerThread;
  /** Null once handed over with {@link #takeBuffer}. */
  private NativeBuffer buffer;
  /** Open handles on the buffer, this one included: one, unless {@link #share} made more. */
  private final AtomicInteger handles;
  private final MemoryDesc layout;
  private final int[] shape;
  private boolean closed;
  private boolean layoutClosed;

  /**
   * Takes ownership of {@code buffer}, borrowed from {@code owner}, the calling thread's workspace, and of
   * {@code layout}, an owned descriptor of dimensions {@code dims}.
   */
  BlockedTensor(Workspace owner, NativeBuffer buffer, MemoryDesc layout, long[] dims) {
    this(owner, Thread.currentThread(), buffer, layout, dims, new AtomicInteger(1));
  }

  private BlockedTensor(Workspace owner, Thread ownerThread, NativeBuffer buffer, MemoryDesc layout, long[] dims,
      AtomicInteger handles) {
    this.owner = owner;
    this.ownerThread = ownerThread;
    this.buffer = buffer;
    this.layout = layout;
    this.handles = handles;
    this.shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) shape[i] = Math.toIntExact(dims[i]);
  }

  /** A row-major copy of {@code t} in native memory, borrowed from the calling thread's workspace. */
  public static BlockedTensor rowMajor(Tensor t) {
    long[] dims = new long[t.rank()];
    for (int k = 0; k < dims.length; k++) dims[k] = t.dim(k);
    Workspace workspace = Dnnl.workspace();
    MemoryDesc layout = MemoryDesc.plain(dims);
    NativeBuffer buffer = workspace.borrow(layout.bytes());
    buffer.write(t.data());
    return new BlockedTensor(workspace, buffer, layout, dims);
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  NativeBuffer buffer() {
    check();
    return buffer;
  }

  MemoryDesc layout() {
    check();
    return layout;
  }

  /** Writes the values into {@code target} in layout {@code targetLayout}, on the calling thread's workspace. */
  void copyInto(MemoryDesc targetLayout, NativeBuffer target) {
    check();
    Reorders.convert(Dnnl.workspace(), layout, buffer, targetLayout, target);
  }

  /**
   * Hands the buffer over to the caller, who then owns it (a borrowed buffer of the calling thread's
   * workspace); closing this tensor afterwards frees only its layout. For an output written over the last use
   * of this tensor.
   */
  NativeBuffer takeBuffer() {
    check();
    if (Thread.currentThread() != ownerThread) throw new IllegalStateException("held tensor taken on another thread");
    if (shared()) throw new IllegalStateException("held tensor taken while shared");
    NativeBuffer taken = buffer;
    buffer = null;
    closed = true;
    return taken;
  }

  /** Reorders to row-major on the calling thread's workspace, for an op that cannot read it held. */
  @Override
  public Tensor toTensor() {
    check();
    return Tensor.of(HeldOrValues.read(Dnnl.workspace(), buffer, layout), shape);
  }

  /** The {@link #permuted} view read as it lies, when it is row-major (channels-last storage, for (0, 2, 3, 1)). */
  @Override
  public Tensor permutedIfStored(int[] order) {
    check();
    try (BlockedTensor view = permuted(order)) {
      if (view == null) return null;
      try (MemoryDesc plain = MemoryDesc.plain(view.layout.dims())) {
        if (!view.layout.sameLayout(plain)) return null;
      }
      return view.toTensor();
    }
  }

  /** The same values transposed (output axis k is axis {@code order[k]}), on the same memory: a shared handle. */
  @Override
  public BlockedTensor permuted(int[] order) {
    check();
    if (order.length != shape.length) return null;
    MemoryDesc md;
    try {
      md = layout.permuted(order);
    } catch (DnnlException e) {
      return null; // a layout oneDNN cannot read permuted
    }
    return view(md);
  }

  /** The same values with another shape, on the same memory, or null when this layout cannot be read so. */
  @Override
  public BlockedTensor reshaped(int[] newShape) {
    check();
    long[] dims = new long[newShape.length];
    long count = 1;
    for (int k = 0; k < dims.length; k++) count *= dims[k] = newShape[k];
    long own = 1;
    for (int d : shape) own *= d;
    if (count != own) return null;
    MemoryDesc md = layout.reshaped(dims);
    return md == null ? null : view(md);
  }

  /** These values row-major: another handle when they are stored so already, else a copy. */
  @Override
  public BlockedTensor rowMajor() {
    check();
    long[] dims = layout.dims();
    try (MemoryDesc plain = MemoryDesc.plain(dims)) {
      if (layout.sameLayout(plain)) return share();
    }
    return copy(layout, MemoryDesc.plain(dims));
  }

  /**
   * The values from {@code starts} on, {@code counts} of them along each axis, as a new dense tensor (channels-last
   * when this one is, else row-major), or null when this layout cannot be cut there (a channel block split).
   */
  @Override
  public BlockedTensor sliced(int[] starts, int[] counts) {
    check();
    try (MemoryDesc part = partLayout(starts, counts)) {
      if (part == null) return null;
      long[] dims = part.dims();
      MemoryDesc dense = layout.channelsLast() ? MemoryDesc.tagged(dnnl_acdb, dims) : MemoryDesc.plain(dims);
      return copy(part, dense);
    }
  }

  /** This layout from {@code starts} on, {@code counts} along each axis; null where it cannot be cut there. */
  private MemoryDesc partLayout(int[] starts, int[] counts) {
    long[] dims = new long[counts.length];
    long[] offsets = new long[starts.length];
    for (int k = 0; k < dims.length; k++) {
      dims[k] = counts[k];
      offsets[k] = starts[k];
    }
    return layout.submemory(dims, offsets);
  }

  /**
   * The values this tensor's buffer holds in layout {@code from} (its own, or a part of it), copied into a new
   * tensor in layout {@code to}, which the copy then owns; on this thread's workspace.
   */
  private BlockedTensor copy(MemoryDesc from, MemoryDesc to) {
    return copy(from, to, to, false);
  }

  /**
   * The same, written where {@code written} (a part of {@code to}, or {@code to} itself) places the values in the
   * new buffer, which is zeroed first when {@code zeroFirst}.
   */
  private BlockedTensor copy(MemoryDesc from, MemoryDesc written, MemoryDesc to, boolean zeroFirst) {
    Workspace workspace = Dnnl.workspace();
    NativeBuffer target = workspace.borrow(to.bytes());
    try {
      if (zeroFirst) target.zero(to.bytes());
      Reorders.convert(workspace, from, buffer, written, target);
    } catch (RuntimeException | Error e) {
      workspace.giveBack(target);
      to.close();
      throw e;
    }
    return new BlockedTensor(workspace, target, to, to.dims());
  }

  /** Another handle on this buffer, read in layout {@code md} (which the handle then owns). */
  private BlockedTensor view(MemoryDesc md) {
    handles.incrementAndGet();
    return new BlockedTensor(owner, ownerThread, buffer, md, md.dims(), handles);
  }

  @Override
  public BlockedTensor timesPerChannel(Tensor scale, HeldTensor heldScale) {
    check();
    if (heldScale != null && !(heldScale instanceof BlockedTensor)) scale = heldScale.toTensor();
    BlockedTensor blockedScale = scale == null ? (BlockedTensor) heldScale : null;
    int[] scaleShape = blockedScale != null ? blockedScale.shape : scale.shape();
    if ((scale != null && !scale.isFloat()) || shape.length < 2 || !HeldTensor.perChannel(scaleShape, shape)) {
      return null;
    }
    long[] dims = new long[shape.length];
    for (int k = 0; k < dims.length; k++) dims[k] = scaleShape[k];
    return Binary.timesPerChannel(this, scale == null ? null : scale.data(), blockedScale, dims);
  }

  @Override
  public Tensor productSummedTo(HeldTensor other, int[] sumShape) {
    check();
    if (!(other instanceof BlockedTensor b) || !Arrays.equals(b.shape, shape)
        || !HeldTensor.perChannel(sumShape, shape)) {
      return null;
    }
    long[] dims = layout.dims();
    Pooling.Geometry planes = Pooling.Geometry.globalAverage(dims);
    if (planes == null) return null;
    // oneDNN's reduction primitive has only its reference kernel for sums over the planes of a channels-last or
    // channel-blocked tensor (1 to 5 ms at RegNet's sizes); its average pooling has a fast one.
    float[] means;
    try (BlockedTensor product = Binary.times(this, b)) {
      means = Pooling.forward(planes, null, product, null, false).values()[0];
    }
    int n = shape[0];
    int c = shape[1];
    long planeSize = 1;
    for (int k = 2; k < shape.length; k++) planeSize *= shape[k];
    float[] sums = new float[sumShape[0] * sumShape[1]];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        sums[(sumShape[0] == 1 ? 0 : i) * sumShape[1] + (sumShape[1] == 1 ? 0 : j)] += means[i * c + j] * planeSize;
      }
    }
    return Tensor.of(sums, sumShape.clone());
  }

  @Override
  public BlockedTensor activated(Activation f) {
    check();
    return Eltwise.forward(f, this);
  }

  @Override
  public BlockedTensor activationGradient(Activation f, Tensor dy, HeldTensor heldDy) {
    check();
    if (heldDy != null && !(heldDy instanceof BlockedTensor)) dy = heldDy.toTensor();
    return Eltwise.backward(f, this, dy == null ? null : dy.data(), dy == null ? (BlockedTensor) heldDy : null);
  }

  @Override
  public BlockedTensor plusInPlace(HeldTensor other) {
    check();
    if (!(other instanceof BlockedTensor b) || !Arrays.equals(shape, b.shape)) return null;
    if (!layout.dense()) {
      // A part of another tensor's memory (a Concat's gradient cut up): the sum goes into a dense copy.
      BlockedTensor sum = copy(layout, denseLike(layout));
      try {
        return sum.plusInPlace(b);
      } catch (RuntimeException | Error e) {
        sum.close();
        throw e;
      }
    }
    if (shared()) return plus(b);
    Reorders.accumulate(Dnnl.workspace(), b.layout(), b.buffer(), layout, buffer);
    return this;
  }

  @Override
  public BlockedTensor part(int[] starts, int[] counts) {
    check();
    MemoryDesc part = partLayout(starts, counts);
    return part == null ? null : view(part);
  }

  @Override
  public BlockedTensor owned() {
    check();
    if (layout.dense()) return this;
    try (this) {
      return copy(layout, denseLike(layout));
    }
  }

  @Override
  public BlockedTensor zeroPadded(int[] before, int[] after) {
    check();
    long[] dims = new long[shape.length];
    long[] offsets = new long[shape.length];
    for (int k = 0; k < dims.length; k++) {
      dims[k] = (long) shape[k] + before[k] + after[k];
      offsets[k] = before[k];
    }
    MemoryDesc padded = denseLike(layout, dims);
    try (MemoryDesc middle = padded.submemory(layout.dims(), offsets)) {
      if (middle == null) {
        padded.close();
        return null;
      }
      return copy(layout, middle, padded, true);
    }
  }

  /** A dense layout of {@code md}'s dimensions and kind: channels-last, channel-blocked or row-major. */
  private static MemoryDesc denseLike(MemoryDesc md) {
    return denseLike(md, md.dims());
  }

  /** A dense layout of dimensions {@code dims} of {@code md}'s kind. */
  private static MemoryDesc denseLike(MemoryDesc md, long[] dims) {
    if (md.channelsLast()) return MemoryDesc.tagged(dnnl_acdb, dims);
    if (md.channelBlockedNatively()) return MemoryDesc.tagged(Dnnl.channelBlockedTag(), dims);
    return MemoryDesc.plain(dims);
  }

  /** Whether other handles ({@link #share}) read this buffer too, so that it must not be written over. */
  boolean shared() {
    return handles.get() > 1;
  }

  @Override
  public BlockedTensor share() {
    check();
    handles.incrementAndGet();
    return new BlockedTensor(owner, ownerThread, buffer, layout.copy(), layout.dims(), handles);
  }

  @Override
  public BlockedTensor plus(HeldTensor other) {
    check();
    if (!(other instanceof BlockedTensor b) || !Arrays.equals(shape, b.shape)) return null;
    return Binary.add(this, b);
  }

  @Override
  public void close() {
    if (buffer != null && handles.decrementAndGet() == 0) {
      // A workspace belongs to one thread; from any other the buffer is simply freed.
      if (Thread.currentThread() == ownerThread) {
        owner.giveBack(buffer);
      } else {
        buffer.close();
      }
    }
    buffer = null;
    if (!layoutClosed) layout.close();
    layoutClosed = true;
    closed = true;
  }

  private void check() {
    if (closed) throw new IllegalStateException("held tensor " + Arrays.toString(shape) + " used after close");
  }
}
