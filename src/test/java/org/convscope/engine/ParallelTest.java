package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

  @Test
  void visitsEveryIndexExactlyOnceWhateverTheSize() {
    for (int n : new int[] {0, 1, 7, Parallel.ELEMENTWISE_GRAIN - 1, 3 * Parallel.ELEMENTWISE_GRAIN + 5}) {
      AtomicIntegerArray visits = new AtomicIntegerArray(n);
      Parallel.forEachElement(n, (from, to) -> {
        for (int i = from; i < to; i++) visits.incrementAndGet(i);
      });
      for (int i = 0; i < n; i++) assertEquals(1, visits.get(i), "index " + i + " of " + n);
    }
  }

  @Test
  void aFailingChunkFailsTheLoop() {
    int n = 4 * Parallel.ELEMENTWISE_GRAIN;
    assertThrows(IllegalStateException.class, () -> Parallel.forEachElement(n, (from, to) -> {
      if (to == n) throw new IllegalStateException("last chunk");
    }));
  }
}
