package org.convscope.engine.dnnl;

import java.lang.management.ManagementFactory;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import org.convscope.tensor.Tensor;

/**
 * Parameter tensors (weights) already copied into native memory in the layout a primitive wants, so that a
 * model run many times reorders each weight once. Entries are keyed by the tensor's identity and the two
 * layouts, and are valid for one {@link Tensor#version()}: a trainer that updates a weight in place and calls
 * {@link Tensor#markModified()} gets a fresh copy on the next use. The tensor is held weakly, so an unloaded
 * model's entries are dropped once it is collected; the total size is bounded.
 */
public final class WeightCache {
  private static final WeightCache SHARED = new WeightCache(sharedCapacity(totalMemory()));

  private final LeasedCache<Key, Reordered> cache;
  private final ReferenceQueue<Tensor> collected = new ReferenceQueue<>();

  /** A cache holding at most {@code capacityBytes} of reordered weights. */
  public WeightCache(long capacityBytes) {
    cache = new LeasedCache<>(capacityBytes, r -> r.buffer.bytes());
  }

  /**
   * The shared cache's size for a machine of {@code totalMemory} bytes: an eighth of it, from 512 MB to 4 GB. A
   * model whose weights do not all fit reorders them again on every run: VGG-16's 553 MB took 314 ms a forward
   * pass at batch 1 in a cache of 512 MB, of which 150 were oneDNN's primitives.
   */
  static long sharedCapacity(long totalMemory) {
    return Math.min(4L << 30, Math.max(512L << 20, totalMemory / 8));
  }

  private static long totalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return 0;
  }

  /** The process-wide cache used by the ops. */
  public static WeightCache shared() {
    return SHARED;
  }

  /**
   * {@code weights}' values in the layout of {@code operand}, the weights argument of a plan; reordered on a
   * miss using the calling thread's {@code workspace}.
   */
  Lease<Reordered> acquire(Tensor weights, Operand operand, Workspace workspace) {
    dropCollected();
    long version = weights.version();
    Key key = new Key(weights, operand.plain.layoutKey(), operand.internal.layoutKey(), collected);
    return cache.acquire(key, r -> r.version == version, k -> reorder(weights, version, operand, workspace));
  }

  public void clear() {
    cache.clear();
  }

  public int size() {
    return cache.size();
  }

  private static Reordered reorder(Tensor weights, long version, Operand operand, Workspace workspace) {
    NativeBuffer result = new NativeBuffer(operand.internal.bytes());
    try {
      operand.writeInternal(workspace, weights.data(), result);
    } catch (RuntimeException e) {
      result.close();
      throw e;
    }
    return new Reordered(result, version);
  }

  /** Frees the entries of weights the garbage collector has taken; every acquire does this first. */
  public void dropCollected() {
    for (Object ref; (ref = collected.poll()) != null; ) cache.remove((Key) ref);
  }

  /** A weight in a primitive's layout, as of one version of its tensor. */
  public static final class Reordered implements AutoCloseable {
    private final NativeBuffer buffer;
    private final long version;

    Reordered(NativeBuffer buffer, long version) {
      this.buffer = buffer;
      this.version = version;
    }

    public NativeBuffer buffer() {
      return buffer;
    }

    @Override
    public void close() {
      buffer.close();
    }
  }

  /** Identity of the tensor (held weakly) plus both layouts. */
  private static final class Key extends WeakReference<Tensor> {
    private final int hash;
    private final String plainLayout;
    private final String targetLayout;

    Key(Tensor tensor, String plainLayout, String targetLayout, ReferenceQueue<Tensor> queue) {
      super(tensor, queue);
      this.plainLayout = plainLayout;
      this.targetLayout = targetLayout;
      this.hash = (System.identityHashCode(tensor) * 31 + plainLayout.hashCode()) * 31 + targetLayout.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      if (o == this) return true;
      if (!(o instanceof Key k)) return false;
      Tensor t = get();
      return t != null && t == k.get() && plainLayout.equals(k.plainLayout) && targetLayout.equals(k.targetLayout);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
