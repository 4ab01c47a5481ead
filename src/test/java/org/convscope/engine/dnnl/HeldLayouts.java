package org.convscope.engine.dnnl;

import org.convscope.tensor.Tensor;

/** Held tensors in a chosen oneDNN layout, for tests. */
public final class HeldLayouts {
  private HeldLayouts() {}

  /** {@code x} copied into native memory and reordered into the layout named by oneDNN format tag {@code tag}. */
  public static BlockedTensor held(Tensor x, int tag) {
    long[] dims = new long[x.rank()];
    for (int i = 0; i < dims.length; i++) dims[i] = x.dim(i);
    Workspace workspace = Dnnl.workspace();
    MemoryDesc layout = MemoryDesc.tagged(tag, dims);
    NativeBuffer buffer = workspace.borrow(layout.bytes());
    try (MemoryDesc plain = MemoryDesc.plain(dims); NativeBuffer staged = new NativeBuffer(plain.bytes())) {
      staged.write(x.data());
      Reorders.convert(workspace, plain, staged, layout, buffer);
    }
    return new BlockedTensor(workspace, buffer, layout, dims);
  }
}
