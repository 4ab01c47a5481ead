package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.tensor.Shapes;

/**
 * How two operands line up under numpy (multidirectional) broadcasting, as a walk over the output in
 * contiguous runs. Within a run each operand either advances one element per output element (stride 1) or
 * repeats one element (stride 0), so callers write plain inner loops and pay the index bookkeeping once per
 * run, not per element.
 *
 * <p>Adjacent dimensions that broadcast the same way are merged first: equal shapes become a single run,
 * {@code [N,C,H,W]} with {@code [1,C,1,1]} becomes runs of {@code H*W} over a repeated channel value, and
 * {@code [8,1000]} with {@code [1000]} becomes runs of 1000.
 *
 * <p>The same walk reduces a gradient back to an operand's shape: accumulate into the operand's index and
 * the repeated (stride 0) positions sum up. Plans are immutable.
 */
public final class BroadcastPlan {

  /** Receives one run: {@code length} output elements from {@code out}, with each operand's start and stride. */
  @FunctionalInterface
  public interface RunVisitor {
    void run(int out, int a, int aStride, int b, int bStride, int length);
  }

  private final int[] shape;
  private final int size;
  /** Merged dimensions outside the innermost run, outermost first, with each operand's stride. */
  private final int[] outerSizes;
  private final int[] outerStridesA;
  private final int[] outerStridesB;
  private final int runLength;
  private final int runStrideA;
  private final int runStrideB;

  private BroadcastPlan(int[] a, int[] b) {
    shape = Shapes.broadcast(a, b);
    size = Shapes.checkedSize(shape);
    int rank = shape.length;
    // Merged dimensions, innermost first: size and whether each operand repeats along it.
    int[] sizes = new int[rank];
    boolean[] repeatsA = new boolean[rank];
    boolean[] repeatsB = new boolean[rank];
    int merged = 0;
    for (int d = rank - 1; d >= 0; d--) {
      int n = shape[d];
      if (n == 1) continue;
      boolean ra = dimension(a, d, rank) == 1;
      boolean rb = dimension(b, d, rank) == 1;
      if (merged > 0 && repeatsA[merged - 1] == ra && repeatsB[merged - 1] == rb) {
        sizes[merged - 1] *= n;
      } else {
        sizes[merged] = n;
        repeatsA[merged] = ra;
        repeatsB[merged] = rb;
        merged++;
      }
    }
    if (merged == 0) {
      // A single element, whatever the ranks.
      runLength = 1;
      runStrideA = 0;
      runStrideB = 0;
      outerSizes = outerStridesA = outerStridesB = new int[0];
      return;
    }
    runLength = sizes[0];
    runStrideA = repeatsA[0] ? 0 : 1;
    runStrideB = repeatsB[0] ? 0 : 1;
    int strideA = repeatsA[0] ? 1 : sizes[0];
    int strideB = repeatsB[0] ? 1 : sizes[0];
    int outer = merged - 1;
    outerSizes = new int[outer];
    outerStridesA = new int[outer];
    outerStridesB = new int[outer];
    for (int m = 1; m < merged; m++) {
      int slot = outer - m; // stored outermost first
      outerSizes[slot] = sizes[m];
      outerStridesA[slot] = repeatsA[m] ? 0 : strideA;
      outerStridesB[slot] = repeatsB[m] ? 0 : strideB;
      if (!repeatsA[m]) strideA *= sizes[m];
      if (!repeatsB[m]) strideB *= sizes[m];
    }
  }

  /** The plan for broadcasting shapes {@code a} and {@code b}; fails if they do not broadcast. */
  public static BroadcastPlan of(int[] a, int[] b) {
    return new BroadcastPlan(a, b);
  }

  private static int dimension(int[] operand, int d, int rank) {
    int i = d - (rank - operand.length);
    return i < 0 ? 1 : operand[i];
  }

  /** The broadcast (output) shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of output elements. */
  public int size() {
    return size;
  }

  /** Whether the output has exactly this shape, i.e. the other operand broadcasts to it one way only. */
  public boolean hasShape(int[] expected) {
    return Arrays.equals(shape, expected);
  }

  /** Visits every output element once, in row-major order, as runs. */
  public void forEachRun(RunVisitor visitor) {
    if (size == 0) return;
    int outer = outerSizes.length;
    int[] index = new int[outer];
    int runs = size / runLength;
    int a = 0;
    int b = 0;
    for (int r = 0; r < runs; r++) {
      visitor.run(r * runLength, a, runStrideA, b, runStrideB, runLength);
      for (int d = outer - 1; d >= 0; d--) {
        a += outerStridesA[d];
        b += outerStridesB[d];
        if (++index[d] < outerSizes[d]) break;
        a -= outerStridesA[d] * outerSizes[d];
        b -= outerStridesB[d] * outerSizes[d];
        index[d] = 0;
      }
    }
  }

  /**
   * Sums {@code values} of shape {@code from} down to shape {@code to}, which must broadcast to {@code from}:
   * the gradient of broadcasting. Always returns a new array.
   */
  public static float[] sumTo(float[] values, int[] from, int[] to) {
    if (Arrays.equals(from, to)) return values.clone();
    BroadcastPlan plan = of(from, to);
    requireShape(plan, from, to);
    float[] sums = new float[Shapes.checkedSize(to)];
    plan.forEachRun((out, a, aStride, b, bStride, length) -> {
      if (bStride == 0) {
        double s = 0;
        for (int k = 0; k < length; k++) s += values[out + k];
        sums[b] += (float) s;
      } else {
        for (int k = 0; k < length; k++) sums[b + k] += values[out + k];
      }
    });
    return sums;
  }

  /** Repeats {@code values} of shape {@code from} to shape {@code to}, which {@code from} must broadcast to. */
  public static float[] expand(float[] values, int[] from, int[] to) {
    if (Arrays.equals(from, to)) return values.clone();
    BroadcastPlan plan = of(to, from);
    requireShape(plan, to, from);
    float[] out = new float[plan.size()];
    plan.forEachRun((o, a, aStride, b, bStride, length) -> {
      for (int k = 0; k < length; k++) out[o + k] = values[b + k * bStride];
    });
    return out;
  }

  private static void requireShape(BroadcastPlan plan, int[] full, int[] small) {
    if (!plan.hasShape(full)) {
      throw new IllegalArgumentException("shape " + Shapes.toString(small) + " does not broadcast to " + Shapes.toString(full));
    }
  }
}
