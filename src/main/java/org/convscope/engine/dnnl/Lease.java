package org.convscope.engine.dnnl;

/**
 * The right to use a value from a {@link LeasedCache} until {@link #close()}; the value stays open while
 * any lease on it does, even if the cache evicts it meanwhile.
 */
public final class Lease<V> implements AutoCloseable {
  private final V value;
  private Runnable release;

  Lease(V value, Runnable release) {
    this.value = value;
    this.release = release;
  }

  public V get() {
    if (release == null) throw new IllegalStateException("lease used after close");
    return value;
  }

  @Override
  public void close() {
    if (release != null) {
      release.run();
      release = null;
    }
  }
}
