package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_stream;

/**
 * What one thread needs to run primitives: a stream and named scratch buffers that are reused from call to
 * call (grown when a larger one is needed), so that steady-state execution allocates no native memory.
 * Obtained from {@link Dnnl#workspace()} and used only by its thread. Its native objects are freed by
 * {@link Dnnl#releaseThreadResources()}, or once the thread has ended and the workspace is collected.
 */
public final class Workspace implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();
  /**
   * Freed held-tensor buffers kept per thread, at most this many. A run recorded for a gradient holds most of
   * its activations until the backward pass frees them: MobileNetV2's saliency pass at batch 8 borrows about 60
   * buffers. With too few spares, buffers are freed and allocated again every run, and the primitive writing a
   * fresh one pays for mapping its pages (with 32 spares, that pass allocated 161 MB anew every time, and the
   * process took about 31,000 page faults per pass).
   */
  private static final int MAX_SPARE = 256;
  /**
   * At most this many bytes of spares per thread, the oldest going first beyond it: resnet50's saliency pass at
   * batch 8 leaves 527 MB of them, MobileNetV2's 350 MB, and each of the explorer's workers keeps its own.
   */
  private static final long MAX_SPARE_BYTES = 1L << 30;

  /** The native state, kept apart from the workspace so that the cleaner does not keep it reachable. */
  private static final class Resources implements Runnable {
    final dnnl_stream stream = new dnnl_stream();
    final Map<String, NativeBuffer> buffers = new HashMap<>();
    /** Freed buffers of held tensors, for the next ones, oldest first. */
    final List<NativeBuffer> spare = new ArrayList<>();
    long spareBytes;
    boolean closed;
    /** Reused for every execution: allocating it each time through JavaCPP costs more than a small primitive. */
    dnnl_exec_arg_t args = new dnnl_exec_arg_t(8);
    int argsCapacity = 8;

    @Override
    public void run() {
      closed = true;
      for (NativeBuffer b : buffers.values()) b.close();
      buffers.clear();
      for (NativeBuffer b : spare) b.close();
      spare.clear();
      spareBytes = 0;
      args.close();
      dnnl_stream_destroy(stream);
    }
  }

  private final Resources resources = new Resources();
  private final Cleaner.Cleanable cleanable;
  private final int maxSpare;
  private final long maxSpareBytes;

  Workspace() {
    this(MAX_SPARE, MAX_SPARE_BYTES);
  }

  /** A workspace keeping at most {@code maxSpare} spares of at most {@code maxSpareBytes} in all. */
  Workspace(int maxSpare, long maxSpareBytes) {
    this.maxSpare = maxSpare;
    this.maxSpareBytes = maxSpareBytes;
    Dnnl.check(dnnl_stream_create(resources.stream, Dnnl.engine(), dnnl_stream_default_flags), "creating a stream");
    cleanable = CLEANER.register(this, resources);
  }

  /**
   * This thread's buffer named {@code slot}, at least {@code bytes} long. Its contents are whatever the last
   * user left; the same slot must not be used for two arguments of one execution.
   */
  public NativeBuffer buffer(String slot, long bytes) {
    NativeBuffer b = resources.buffers.get(slot);
    if (b == null || b.bytes() < bytes) {
      if (b != null) b.close();
      b = new NativeBuffer(bytes);
      resources.buffers.put(slot, b);
    }
    return b;
  }

  /**
   * A buffer of at least {@code bytes} bytes that the caller owns until it hands it back with
   * {@link #giveBack}: memory for a tensor that outlives one execution. Freed buffers are reused, because a
   * fresh allocation of many megabytes maps new pages every time, which costs more than the copies saved. The
   * smallest spare that fits is taken: a network repeats its shapes from run to run, so that is usually one of
   * the right size; and a smaller batch after a larger one (SmoothGrad's last, say) finds the larger batch's.
   */
  public NativeBuffer borrow(long bytes) {
    NativeBuffer best = null;
    for (NativeBuffer b : resources.spare) {
      if (b.bytes() >= bytes && (best == null || b.bytes() < best.bytes())) best = b;
    }
    if (best == null) return new NativeBuffer(bytes);
    resources.spare.remove(best);
    resources.spareBytes -= best.bytes();
    return best;
  }

  /** Takes back a buffer from {@link #borrow}, keeping the most recent for reuse. */
  public void giveBack(NativeBuffer buffer) {
    if (resources.closed || buffer.bytes() > maxSpareBytes) {
      buffer.close();
      return;
    }
    resources.spare.add(buffer);
    resources.spareBytes += buffer.bytes();
    while (resources.spare.size() > maxSpare || resources.spareBytes > maxSpareBytes) {
      NativeBuffer oldest = resources.spare.remove(0);
      resources.spareBytes -= oldest.bytes();
      oldest.close();
    }
  }

  /** The bytes of the freed buffers this workspace keeps for reuse. */
  long spareBytes() {
    return resources.spareBytes;
  }

  /**
   * Runs {@code primitive} on this thread's stream and waits for it to finish. Adds the scratchpad to
   * {@code args}, which are therefore for this one execution.
   */
  public void execute(Primitive primitive, ExecArgs args) {
    long scratch = primitive.scratchpadBytes();
    if (scratch > 0) args.add(DNNL_ARG_SCRATCHPAD, primitive.scratchpadMd(), buffer("scratchpad", scratch));
    if (args.size() > resources.argsCapacity) {
      resources.args.close();
      resources.argsCapacity = args.size();
      resources.args = new dnnl_exec_arg_t(args.size());
    }
    args.writeTo(resources.args);
    OpenMp.onThreads(primitive.threads(), () -> run(primitive, args.size()));
  }

  private Void run(Primitive primitive, int argCount) {
    // The messages are made only on failure: a string per execution is garbage on every run.
    int status = dnnl_primitive_execute(primitive.handle(), resources.stream, argCount, resources.args);
    if (status != dnnl_success) Dnnl.check(status, "executing " + primitive.what());
    status = dnnl_stream_wait(resources.stream);
    if (status != dnnl_success) Dnnl.check(status, "waiting for " + primitive.what());
    return null;
  }

  /** Reorders data in {@code from} (layout {@code fromMd}) into {@code to} (layout {@code toMd}). */
  public void reorder(Primitive reorder, MemoryDesc fromMd, NativeBuffer from, MemoryDesc toMd, NativeBuffer to) {
    try (ExecArgs args = new ExecArgs()) {
      execute(reorder, args.add(DNNL_ARG_FROM, fromMd, from).add(DNNL_ARG_TO, toMd, to));
    }
  }

  @Override
  public void close() {
    cleanable.clean();
  }
}
