package org.convscope.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Activation and gradient arrays lent to the ops of one training step and taken back, all at once, when the
 * step is over, for the next step to write over. A step of the demo network allocates about 300 MB of arrays;
 * the JVM zeroes each new one (about a millisecond per 12 MB here) and collects them every step or two, where
 * the next step has the same shapes and can reuse them as they are.
 *
 * <p>Arrays come with whatever the last step left in them: an op takes one only for an output it writes in
 * full. The owner calls {@link #recycle} once nothing holds a tensor of the step any more. One pool serves one
 * thread at a time.
 */
public final class ArrayPool {
  private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
  private final List<float[]> lent = new ArrayList<>();

  /** An array of {@code length} floats, of unspecified contents: one the last step used, or a new one. */
  public float[] take(int length) {
    ArrayDeque<float[]> same = free.get(length);
    float[] a = same == null || same.isEmpty() ? new float[length] : same.pop();
    lent.add(a);
    return a;
  }

  /**
   * Takes back every array lent since the last call: none of them may be read or written after this. Arrays
   * that step did not need are let go (the last, smaller batch of an epoch has its own sizes), so that the pool
   * holds one step's arrays at most.
   */
  public void recycle() {
    free.clear();
    for (float[] a : lent) free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    lent.clear();
  }
}
