package org.convscope.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits a loop over [0, n) into one contiguous chunk per core and runs the chunks at once: the caller takes
 * the first, the common fork-join pool the others. Loops too small to pay for the hand-off run on the caller
 * alone. Each index is visited exactly once by the same body whatever the split, so element-wise results are
 * bit-identical to a single-threaded loop; only a body that reduces across indices would see the split.
 *
 * <p>Joining from outside the pool runs a chunk that no worker has started yet on the caller, so a busy or
 * single-thread pool slows a loop down but never blocks it.
 */
public final class Parallel {
  /** Below this many elements (of a cheap element-wise body) one core is faster than handing work off. */
  public static final int ELEMENTWISE_GRAIN = 1 << 15;

  private static final int CORES = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(),
      ForkJoinPool.getCommonPoolParallelism() + 1));

  /** The body of a loop over a chunk [from, to). */
  @FunctionalInterface
  public interface Range {
    void run(int from, int to);
  }

  private Parallel() {}

  /**
   * Runs {@code body} over [0, n) in at most one chunk per core, none smaller than {@code grain} indices
   * (except when n itself is smaller).
   */
  public static void forRange(int n, int grain, Range body) {
    int chunks = (int) Math.min(CORES, Math.max(1L, (long) n / Math.max(1, grain)));
    if (chunks <= 1) {
      if (n > 0) body.run(0, n);
      return;
    }
    ForkJoinTask<?>[] others = new ForkJoinTask<?>[chunks - 1];
    for (int c = 1; c < chunks; c++) {
      int from = bound(n, chunks, c);
      int to = bound(n, chunks, c + 1);
      others[c - 1] = ForkJoinTask.adapt(() -> body.run(from, to)).fork();
    }
    try {
      body.run(0, bound(n, chunks, 1));
    } finally {
      for (ForkJoinTask<?> t : others) t.join();
    }
  }

  /** Element-wise loops: {@link #forRange} with {@link #ELEMENTWISE_GRAIN}. */
  public static void forEachElement(int n, Range body) {
    forRange(n, ELEMENTWISE_GRAIN, body);
  }

  private static int bound(int n, int chunks, int c) {
    return (int) ((long) n * c / chunks);
  }
}
