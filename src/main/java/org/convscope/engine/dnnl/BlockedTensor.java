package org.convscope.engine.dnnl;

import java.util.Arrays;
import org.convscope.engine.HeldTensor;
import org.convscope.tensor.Tensor;

/**
 * An activation left in native memory, in the layout a primitive wrote it (usually channel-blocked), for the
 * next primitive to read without converting it to a Java array and back. Owns its layout and its buffer, which
 * goes back to the workspace it came from when closed.
 */
public final class BlockedTensor implements HeldTensor {
  private final Workspace owner;
  private final Thread ownerThread = Thread.currentThread();
  private final NativeBuffer buffer;
  private final MemoryDesc layout;
  private final int[] shape;
  private boolean closed;

  /**
   * Takes ownership of {@code buffer}, borrowed from {@code owner}, the calling thread's workspace, and of
   * {@code layout}, an owned descriptor of dimensions {@code dims}.
   */
  BlockedTensor(Workspace owner, NativeBuffer buffer, MemoryDesc layout, long[] dims) {
    this.owner = owner;
    this.buffer = buffer;
    this.layout = layout;
    this.shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) shape[i] = Math.toIntExact(dims[i]);
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

  /** Reorders to row-major on the calling thread's workspace; a path for the rare op that declines it. */
  @Override
  public Tensor toTensor() {
    check();
    long[] dims = layout.dims();
    float[] values = new float[Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact))];
    Workspace workspace = Dnnl.workspace();
    try (MemoryDesc plain = MemoryDesc.plain(dims)) {
      if (plain.sameLayout(layout)) {
        buffer.read(values);
      } else {
        NativeBuffer target = workspace.buffer("held.plain", plain.bytes());
        try (Primitive reorder = Primitive.reorder(layout, plain)) {
          workspace.reorder(reorder, layout, buffer, plain, target);
        }
        target.read(values);
      }
    }
    return Tensor.of(values, shape);
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    // A workspace belongs to one thread; from any other the buffer is simply freed.
    if (Thread.currentThread() == ownerThread) {
      owner.giveBack(buffer);
    } else {
      buffer.close();
    }
    layout.close();
  }

  private void check() {
    if (closed) throw new IllegalStateException("held tensor " + Arrays.toString(shape) + " used after close");
  }
}
