package org.convscope.engine.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Counting native memory in tests that check a run frees what it allocated. */
public final class NativeMemory {
  private NativeMemory() {}

  /**
   * {@link NativeBuffer#liveBytes()} once the garbage of earlier tests is freed. Unclosed traces and the
   * workspaces of ended threads are freed by cleaner threads after a collection, and the cached weights of
   * collected networks by the next weight lookup; either happening while a test counts would show as a
   * difference the test did not cause.
   */
  public static long settledLiveBytes() {
    long last = -1;
    for (int round = 0; round < 50; round++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      WeightCache.shared().dropCollected();
      long now = NativeBuffer.liveBytes();
      if (now == last) return now;
      last = now;
    }
    return NativeBuffer.liveBytes();
  }

  /**
   * Runs {@code run} twice, so that its primitives, cached weights and pooled buffers exist, then three times
   * more, and fails if those three left native memory allocated.
   */
  public static void assertRunsFreeWhatTheyAllocate(Runnable run, String what) {
    run.run();
    run.run();
    long before = settledLiveBytes();
    for (int i = 0; i < 3; i++) run.run();
    assertEquals(before, NativeBuffer.liveBytes(), "native bytes left by " + what);
  }
}
