package org.convscope.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.convscope.engine.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The explorer's disk cache and its jobs, without a server. */
class ResultCacheTest {
  @TempDir Path dir;

  @Test
  void keysDependOnEveryPartAndTheirBoundaries() {
    String key = ResultCache.key("model", "gradcam", "3");
    assertTrue(key.matches("[0-9a-f]{32}"));
    assertEquals(key, ResultCache.key("model", "gradcam", "3"));
    assertNotEquals(key, ResultCache.key("model", "gradcam", "4"));
    assertNotEquals(ResultCache.key("ab", "c"), ResultCache.key("a", "bc"), "parts are separated");
  }

  @Test
  void aResultIsComputedOnceWrittenWhollyAndServedOnlyByItsKey() throws Exception {
    try (ResultCache cache = new ResultCache(dir.resolve("cache"), 2)) {
      String key = ResultCache.key("x");
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger runs = new AtomicInteger();
      ResultCache.Task task = job -> {
        runs.incrementAndGet();
        release.await();
        return Map.of("json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "u3.png", new byte[] {1, 2, 3});
      };
      Job first = cache.submit(key, "x", task);
      Job second = cache.submit(key, "x", task);
      assertSame(first, second, "a running job is joined, not started again");
      assertNull(cache.file(key + ".json"), "nothing is served before the result is complete");
      release.countDown();
      first.done().get();
      assertEquals(1, runs.get());
      assertEquals(1, cache.computations());
      assertTrue(cache.has(key));
      assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(cache.file(key + ".u3.png")));
      assertEquals(Job.State.DONE, cache.submit(key, "x", task).state(), "a finished result is read from disk");
      assertEquals(1, runs.get());
      for (String name : new String[] {"../" + key + ".json", key + ".done", key, key + ".json/../x.json", "..", "",
          key.toUpperCase() + ".json", key + ".json\u0000.png", ResultCache.key("y") + ".json"}) {
        assertNull(cache.file(name), name);
      }
    }
    // A new cache over the same folder (the next server run) finds the result without computing it.
    try (ResultCache again = new ResultCache(dir.resolve("cache"), 1)) {
      assertTrue(again.has(ResultCache.key("x")));
      assertEquals(0, again.computations());
    }
  }

  @Test
  void aFailedJobReportsItsErrorAndRunsAgainWhenAskedAgain() throws Exception {
    try (ResultCache cache = new ResultCache(dir.resolve("cache"), 1)) {
      String key = ResultCache.key("fails once");
      AtomicInteger runs = new AtomicInteger();
      ResultCache.Task task = job -> {
        if (runs.incrementAndGet() == 1) throw new InvalidInputException("layer 'q' is not a convolution");
        return Map.of("json", new byte[] {'1'});
      };
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> cache.await(key, "t", task, 60));
      assertEquals("layer 'q' is not a convolution", e.getMessage());
      assertEquals("failed", cache.job(key).status().get("state"));
      assertEquals("layer 'q' is not a convolution", cache.job(key).status().get("error"));
      assertFalse(cache.has(key));
      cache.await(key, "t", task, 60);
      assertTrue(cache.has(key));
      assertEquals(2, runs.get());
    }
  }
}
