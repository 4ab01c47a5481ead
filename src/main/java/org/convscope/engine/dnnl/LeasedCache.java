package org.convscope.engine.dnnl;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * A bounded, thread-safe, least-recently-used cache of native objects (primitives, reordered weights).
 *
 * <p>A value is used under a {@link Lease}. Evicting a value takes it out of the cache at once but closes it
 * only when its last lease ends, so a thread never sees a primitive or buffer freed while it executes. Values
 * are created outside the lock, so a slow creation does not stall other threads; when two threads race to
 * create the same key, one result is kept and the other closed.
 *
 * @param <K> key, with value equality
 * @param <V> the native object, closed on eviction
 */
public final class LeasedCache<K, V extends AutoCloseable> {
  private final long capacity;
  private final ToLongFunction<? super V> weigher;
  private final LinkedHashMap<K, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long weight;

  /** A cache holding values of total weight at most {@code capacity} (as measured by {@code weigher}). */
  public LeasedCache(long capacity, ToLongFunction<? super V> weigher) {
    this.capacity = capacity;
    this.weigher = weigher;
  }

  /** A cache holding at most {@code capacity} values. */
  public static <K, V extends AutoCloseable> LeasedCache<K, V> ofCount(long capacity) {
    return new LeasedCache<>(capacity, v -> 1);
  }

  /** The value for {@code key}, created by {@code create} when absent. */
  public Lease<V> acquire(K key, Function<? super K, ? extends V> create) {
    return acquire(key, v -> true, create);
  }

  /**
   * The value for {@code key} if present and {@code valid}; otherwise a new one from {@code create},
   * which replaces the stale one.
   */
  public Lease<V> acquire(K key, Predicate<? super V> valid, Function<? super K, ? extends V> create) {
    synchronized (this) {
      Entry<V> e = entries.get(key);
      if (e != null && valid.test(e.value)) return lease(e);
    }
    V created = create.apply(key);
    synchronized (this) {
      Entry<V> e = entries.get(key);
      if (e != null && valid.test(e.value)) {
        closeValue(created);
        return lease(e);
      }
      if (e != null) remove(key);
      Entry<V> fresh = new Entry<>(created, weigher.applyAsLong(created));
      entries.put(key, fresh);
      weight += fresh.weight;
      Lease<V> lease = lease(fresh);
      evictOverCapacity();
      return lease;
    }
  }

  /** Takes {@code key} out of the cache; its value is closed once no lease holds it. */
  public synchronized void remove(K key) {
    Entry<V> e = entries.remove(key);
    if (e != null) retire(e);
  }

  /** Empties the cache, closing every value not currently leased (the others when their lease ends). */
  public synchronized void clear() {
    for (Entry<V> e : entries.values()) retire(e);
    entries.clear();
  }

  public synchronized int size() {
    return entries.size();
  }

  /** Total weight of the cached values. */
  public synchronized long weight() {
    return weight;
  }

  private void evictOverCapacity() {
    Iterator<Map.Entry<K, Entry<V>>> eldestFirst = entries.entrySet().iterator();
    while (weight > capacity && eldestFirst.hasNext()) {
      Entry<V> e = eldestFirst.next().getValue();
      eldestFirst.remove();
      retire(e);
    }
  }

  private void retire(Entry<V> e) {
    weight -= e.weight;
    e.retired = true;
    if (e.leases == 0) closeValue(e.value);
  }

  private Lease<V> lease(Entry<V> e) {
    e.leases++;
    return new Lease<>(e.value, () -> release(e));
  }

  private synchronized void release(Entry<V> e) {
    e.leases--;
    if (e.retired && e.leases == 0) closeValue(e.value);
  }

  private static void closeValue(AutoCloseable value) {
    try {
      value.close();
    } catch (Exception ex) {
      throw new IllegalStateException("could not release a cached native object", ex);
    }
  }

  private static final class Entry<V> {
    final V value;
    final long weight;
    int leases;
    boolean retired;

    Entry(V value, long weight) {
      this.value = value;
      this.weight = weight;
    }
  }
}
