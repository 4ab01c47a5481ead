package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Parallel;
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
 *
 * <p>Big outputs are split into one contiguous range per core; sums are split by the elements they go to,
 * each added up in the same order whatever the split, so results have the same bits on any number of cores.
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
    forEachRun(0, size, visitor);
  }

  /**
   * Visits the output elements [from, to) once each, in row-major order, as runs; the first and last may be
   * parts of runs.
   */
  public void forEachRun(int from, int to, RunVisitor visitor) {
    if (from >= to) return;
    int outer = outerSizes.length;
    int[] index = new int[outer];
    int a = 0;
    int b = 0;
    int run = from / runLength;
    for (int d = outer - 1, rest = run; d >= 0; d--) {
      index[d] = rest % outerSizes[d];
      rest /= outerSizes[d];
      a += index[d] * outerStridesA[d];
      b += index[d] * outerStridesB[d];
    }
    int skip = from - run * runLength;
    for (int o = from; o < to; skip = 0) {
      int n = Math.min(runLength - skip, to - o);
      visitor.run(o, a + skip * runStrideA, runStrideA, b + skip * runStrideB, runStrideB, n);
      o += n;
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
   * {@link #forEachRun(RunVisitor)} with the output split into one range per core, for visitors that write
   * only the output elements they visit.
   */
  public void forEachRunInParallel(RunVisitor visitor) {
    Parallel.forEachElement(size, (from, to) -> forEachRun(from, to, visitor));
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
    if (plan.size == 0) return sums;
    int[] layout = plan.sumLayout();
    if (layout != null) {
      sumBlocks(values, sums, layout[0], layout[1], layout[2]);
      return sums;
    }
    // Kept dimensions on both sides of a summed one (rare): one core.
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

  /**
   * For a plan of a shape and a smaller one that broadcasts to it, the sum down to the smaller shape as
   * {outer, kept, inner}: kept sums, sum k adding up {@code values[(o * kept + k) * inner + i]} over every o
   * and i. This covers every case but a kept dimension on both sides of a summed one: per channel
   * ([N,C,H,W] to [1,C,1,1] or [N,C,1,1]), last axis ([...,C] to [C]), rows ([...,C] to [...,1]) and all.
   * Null otherwise.
   */
  private int[] sumLayout() {
    // The larger operand never repeats, so merged dimensions alternate between kept and summed.
    boolean runKept = runStrideB != 0;
    return switch (outerSizes.length) {
      case 0 -> runKept ? new int[] {1, runLength, 1} : new int[] {1, 1, runLength};
      case 1 -> runKept ? new int[] {outerSizes[0], runLength, 1} : new int[] {1, outerSizes[0], runLength};
      case 2 -> runKept ? null : new int[] {outerSizes[0], outerSizes[1], runLength};
      default -> null;
    };
  }

  /** See {@link #sumLayout}: each core takes a range of the kept sums and adds each up in a fixed order. */
  private static void sumBlocks(float[] values, float[] sums, int outer, int kept, int inner) {
    int grain = (int) Math.max(1, Parallel.ELEMENTWISE_GRAIN / ((long) outer * inner));
    if (inner == 1) {
      // Down columns: row after row added to the range's running sums, in float as before (no conversion).
      Parallel.forRange(kept, grain, (from, to) -> {
        for (int o = 0; o < outer; o++) {
          int row = o * kept;
          for (int k = from; k < to; k++) sums[k] += values[row + k];
        }
      });
      return;
    }
    Parallel.forRange(kept, grain, (from, to) -> {
      for (int k = from; k < to; k++) {
        double s = 0;
        for (int o = 0; o < outer; o++) {
          for (int i = (o * kept + k) * inner, end = i + inner; i < end; i++) s += values[i];
        }
        sums[k] = (float) s;
      }
    });
  }

  /** Repeats {@code values} of shape {@code from} to shape {@code to}, which {@code from} must broadcast to. */
  public static float[] expand(float[] values, int[] from, int[] to) {
    if (Arrays.equals(from, to)) return values.clone();
    BroadcastPlan plan = of(to, from);
    requireShape(plan, to, from);
    float[] out = new float[plan.size()];
    plan.forEachRunInParallel((o, a, aStride, b, bStride, length) -> {
      if (bStride == 0) {
        Arrays.fill(out, o, o + length, values[b]);
      } else {
        System.arraycopy(values, b, out, o, length);
      }
    });
    return out;
  }

  private static void requireShape(BroadcastPlan plan, int[] full, int[] small) {
    if (!plan.hasShape(full)) {
      throw new IllegalArgumentException("shape " + Shapes.toString(small) + " does not broadcast to " + Shapes.toString(full));
    }
  }
}
