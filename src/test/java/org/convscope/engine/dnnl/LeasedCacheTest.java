package org.convscope.engine.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LeasedCacheTest {
  /** Stands in for a native object: records whether it was closed. */
  private static final class Resource implements AutoCloseable {
    final int id;
    boolean closed;

    Resource(int id) {
      this.id = id;
    }

    @Override
    public void close() {
      if (closed) throw new IllegalStateException("closed twice");
      closed = true;
    }
  }

  @Test
  void reusesValuesAndEvictsTheLeastRecentlyUsed() {
    LeasedCache<Integer, Resource> cache = LeasedCache.ofCount(2);
    Resource one;
    try (Lease<Resource> a = cache.acquire(1, Resource::new)) {
      one = a.get();
    }
    try (Lease<Resource> a = cache.acquire(1, Resource::new)) {
      assertSame(one, a.get());
    }
    Resource two;
    try (Lease<Resource> b = cache.acquire(2, Resource::new)) {
      two = b.get();
    }
    try (Lease<Resource> a = cache.acquire(1, Resource::new)) {
      assertSame(one, a.get()); // 1 is now more recent than 2
    }
    try (Lease<Resource> c = cache.acquire(3, Resource::new)) {
      assertEquals(3, c.get().id);
    }
    assertTrue(two.closed);
    assertFalse(one.closed);
    assertEquals(2, cache.size());
  }

  @Test
  void anEvictedValueStaysOpenUntilItsLastLeaseEnds() {
    LeasedCache<Integer, Resource> cache = LeasedCache.ofCount(1);
    Lease<Resource> held = cache.acquire(1, Resource::new);
    Lease<Resource> again = cache.acquire(1, Resource::new);
    cache.acquire(2, Resource::new).close();
    assertEquals(1, cache.size());
    assertFalse(held.get().closed);
    held.close();
    assertFalse(again.get().closed);
    Resource r = again.get();
    again.close();
    assertTrue(r.closed);
  }

  @Test
  void replacesAValueThatIsNoLongerValid() {
    LeasedCache<String, Resource> cache = LeasedCache.ofCount(4);
    Resource first;
    try (Lease<Resource> a = cache.acquire("w", r -> true, k -> new Resource(1))) {
      first = a.get();
    }
    try (Lease<Resource> b = cache.acquire("w", r -> r.id == 2, k -> new Resource(2))) {
      assertNotSame(first, b.get());
      assertEquals(2, b.get().id);
    }
    assertTrue(first.closed);
    assertEquals(1, cache.size());
  }

  @Test
  void boundsTheTotalWeight() {
    LeasedCache<Integer, Resource> cache = new LeasedCache<>(10, r -> r.id);
    cache.acquire(4, Resource::new).close();
    cache.acquire(5, Resource::new).close();
    cache.acquire(6, Resource::new).close();
    assertEquals(6, cache.weight());
    cache.clear();
    assertEquals(0, cache.size());
    assertEquals(0, cache.weight());
  }
}
