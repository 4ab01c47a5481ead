package org.convscope.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 50 concurrent explanation requests on loopback, all different (10 dataset images times 5 methods, Score-CAM
 * and integrated gradients among them): every one answers 200, each result is computed once, and the heap stays
 * bounded. Prints the wall time, latencies and peak heap for docs/BENCHMARKS.md; asserts no timing.
 */
class ExplorerLoadTest {
  static final String[] METHODS = {"saliency", "gradcam", "gradcam++", "scorecam", "integrated-gradients"};

  @Test
  void fiftyConcurrentExplanationRequestsCompleteWithoutErrors() throws Exception {
    try (ExplorerFixture server = new ExplorerFixture()) {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      System.gc();
      long heapBefore = memory.getHeapMemoryUsage().getUsed();
      AtomicLong peak = new AtomicLong(heapBefore);
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      sampler.setDaemon(true);
      sampler.start();
      int before = server.explorer.cache().computations();
      long start = System.nanoTime();
      List<CompletableFuture<Long>> answers = new ArrayList<>();
      for (int image = 100; image < 110; image++) {
        for (String method : METHODS) {
          String path = "/api/explain?image=" + image + "&class=" + (image % 10) + "&method=" + URLEncoder.encode(method, StandardCharsets.UTF_8);
          HttpRequest request = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofMinutes(10)).build();
          long sent = System.nanoTime();
          answers.add(server.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            assertTrue(r.body().contains("\"deletion_auc\""), r.body());
            return System.nanoTime() - sent;
          }));
        }
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
      double wall = (System.nanoTime() - start) / 1e9;
      sampler.interrupt();
      sampler.join();
      assertEquals(50, answers.size());
      assertEquals(before + 50, server.explorer.cache().computations(), "fifty different results, each computed once");
      double[] latencies = answers.stream().mapToDouble(f -> f.join() / 1e9).sorted().toArray();
      long peakMb = peak.get() >> 20;
      System.out.printf(Locale.ROOT, "explorer load: 50 concurrent explanation requests (%s x 10 images) in %.1f s wall; latency median %.1f s,"
          + " max %.1f s; heap %d MB before, peak %d MB (max heap %d MB), %d workers%n", String.join("/", METHODS), wall,
          latencies[latencies.length / 2], latencies[latencies.length - 1], heapBefore >> 20, peakMb,
          Runtime.getRuntime().maxMemory() >> 20, ExplorerOptions.defaults(server.dir).workers());
      assertTrue(Arrays.stream(latencies).allMatch(l -> l > 0));
      // Bounded: the workers hold one explanation each, whatever the number of waiting requests.
      assertTrue(peakMb < 2048, "peak heap " + peakMb + " MB");
    }
  }
}
