package org.convscope.engine.ops;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs independent per-plane work (one plane per batch item and channel, or one channel) sequentially for
 * small tensors and in parallel for big ones, where the fork-join overhead pays off.
 */
final class Planes {
  /** Below this many values touched, threads cost more than they save. */
  private static final long PARALLEL_THRESHOLD = 1 << 16;

  private Planes() {}

  /**
   * Calls {@code body} once for every plane index in [0, planes).
   *
   * @param work the number of values the whole job touches, to decide whether to go parallel
   */
  static void forEach(int planes, long work, IntConsumer body) {
    if (planes > 1 && work >= PARALLEL_THRESHOLD) {
      IntStream.range(0, planes).parallel().forEach(body);
    } else {
      for (int p = 0; p < planes; p++) body.accept(p);
    }
  }
}
