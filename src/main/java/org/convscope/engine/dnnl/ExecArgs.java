package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;

/**
 * The arguments of one primitive execution: each a oneDNN memory object over a {@link NativeBuffer} in a
 * given layout. The memory objects are light wrappers made per execution; {@link #close()} destroys them
 * (never the buffers).
 */
public final class ExecArgs implements AutoCloseable {
  private final List<Integer> kinds = new ArrayList<>();
  private final List<dnnl_memory> memories = new ArrayList<>();

  /** Adds argument {@code kind} (e.g. {@code DNNL_ARG_SRC}): {@code buffer} holding data in layout {@code md}. */
  public ExecArgs add(int kind, MemoryDesc md, NativeBuffer buffer) {
    if (buffer.bytes() < md.extentBytes()) {
      throw new IllegalArgumentException("buffer of " + buffer.bytes() + " bytes for a layout of "
          + md.extentBytes());
    }
    dnnl_memory memory = new dnnl_memory();
    Dnnl.check(dnnl_memory_create(memory, md.handle(), Dnnl.engine(), buffer.pointer()), "creating a memory object");
    kinds.add(kind);
    memories.add(memory);
    return this;
  }

  /** Fills {@code target}, which has room for {@link #size()} entries, for {@code dnnl_primitive_execute}. */
  void writeTo(dnnl_exec_arg_t target) {
    for (int i = 0; i < kinds.size(); i++) {
      target.position(i).arg(kinds.get(i)).memory(memories.get(i));
    }
    target.position(0);
  }

  int size() {
    return kinds.size();
  }

  @Override
  public void close() {
    for (dnnl_memory memory : memories) Dnnl.check(dnnl_memory_destroy(memory), "destroying a memory object");
    memories.clear();
    kinds.clear();
  }
}
