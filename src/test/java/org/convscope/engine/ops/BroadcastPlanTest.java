package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.broadcastOffset;
import static org.convscope.engine.ops.PointwiseFixtures.unravel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.convscope.tensor.Shapes;
import org.junit.jupiter.api.Test;

class BroadcastPlanTest {
  private static final int[][][] PAIRS = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}},
      {{2, 3, 4, 5}, {1, 3, 1, 1}},
      {{2, 3, 4, 5}, {3, 1, 1}},
      {{2, 3, 4, 5}, {1, 5}},
      {{2, 3, 4, 5}, {}},
      {{}, {2, 3}},
      {{}, {}},
      {{4, 1}, {1, 5}},
      {{3, 1, 5}, {1, 4, 1}},
      {{1, 1, 7}, {7}},
      {{2, 1, 3, 1}, {5, 1, 4}},
      {{2, 0, 3}, {1, 3}},
  };

  @Test
  void runsVisitEveryOutputElementWithTheBroadcastOperandElements() {
    for (int[][] pair : PAIRS) checkRuns(pair[0], pair[1]);
    Random random = new Random(1);
    for (int i = 0; i < 200; i++) {
      int[][] pair = PointwiseFixtures.randomBroadcastPair(random);
      checkRuns(pair[0], pair[1]);
    }
  }

  private static void checkRuns(int[] a, int[] b) {
    BroadcastPlan plan = BroadcastPlan.of(a, b);
    int[] out = Shapes.broadcast(a, b);
    assertArrayEquals(out, plan.shape());
    int[] seenA = new int[plan.size()];
    int[] seenB = new int[plan.size()];
    List<Integer> visited = new ArrayList<>();
    plan.forEachRun((o, ia, sa, ib, sb, n) -> {
      for (int k = 0; k < n; k++) {
        visited.add(o + k);
        seenA[o + k] = ia + k * sa;
        seenB[o + k] = ib + k * sb;
      }
    });
    assertEquals(plan.size(), visited.size(), "every element once for " + Shapes.toString(a) + " and " + Shapes.toString(b));
    for (int i = 0; i < plan.size(); i++) {
      assertEquals(i, visited.get(i), "row-major order");
      int[] index = unravel(i, out);
      assertEquals(broadcastOffset(index, a), seenA[i], "a offset at " + i);
      assertEquals(broadcastOffset(index, b), seenB[i], "b offset at " + i);
    }
  }

  /** A walk over part of the output, as each core takes it, visits what the whole walk does there. */
  @Test
  void rangesVisitTheirPartOfTheWholeWalk() {
    Random random = new Random(3);
    for (int i = 0; i < 200; i++) {
      int[][] pair = i < PAIRS.length ? PAIRS[i] : PointwiseFixtures.randomBroadcastPair(random);
      BroadcastPlan plan = BroadcastPlan.of(pair[0], pair[1]);
      int[] wholeA = new int[plan.size()];
      int[] wholeB = new int[plan.size()];
      plan.forEachRun((o, ia, sa, ib, sb, n) -> {
        for (int k = 0; k < n; k++) {
          wholeA[o + k] = ia + k * sa;
          wholeB[o + k] = ib + k * sb;
        }
      });
      for (int trial = 0; trial < 5; trial++) {
        int from = random.nextInt(plan.size() + 1);
        int to = from + random.nextInt(plan.size() - from + 1);
        int[] next = {from};
        plan.forEachRun(from, to, (o, ia, sa, ib, sb, n) -> {
          assertEquals(next[0], o, "runs follow each other");
          for (int k = 0; k < n; k++) {
            assertEquals(wholeA[o + k], ia + k * sa);
            assertEquals(wholeB[o + k], ib + k * sb);
          }
          next[0] += n;
        });
        assertEquals(to, next[0], "the range is covered");
      }
    }
  }

  @Test
  void mergesDimensionsIntoLongRuns() {
    assertEquals(1, countRuns(new int[] {2, 3, 4, 5}, new int[] {2, 3, 4, 5}));
    assertEquals(1, countRuns(new int[] {2, 3, 4, 5}, new int[] {}));
    // Per-channel: one run of H*W per (n, c).
    assertEquals(6, countRuns(new int[] {2, 3, 4, 5}, new int[] {1, 3, 1, 1}));
    assertEquals(8, countRuns(new int[] {8, 1000}, new int[] {1000}));
  }

  private static int countRuns(int[] a, int[] b) {
    int[] runs = {0};
    BroadcastPlan.of(a, b).forEachRun((o, ia, sa, ib, sb, n) -> runs[0]++);
    return runs[0];
  }

  @Test
  void sumToAddsUpTheRepeatedPositions() {
    float[] values = new float[24];
    for (int i = 0; i < values.length; i++) values[i] = i;
    // [2,3,4] summed to [3,1]: sum over axes 0 and 2.
    float[] sums = BroadcastPlan.sumTo(values, new int[] {2, 3, 4}, new int[] {3, 1});
    float[] expected = new float[3];
    for (int i = 0; i < 24; i++) expected[(i / 4) % 3] += i;
    assertArrayEquals(expected, sums);
    assertArrayEquals(new float[] {276}, BroadcastPlan.sumTo(values, new int[] {2, 3, 4}, new int[] {}));
  }

  @Test
  void expandRepeatsAlongBroadcastDimensions() {
    float[] out = BroadcastPlan.expand(new float[] {1, 2, 3}, new int[] {3, 1}, new int[] {2, 3, 2});
    assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, out);
  }

  @Test
  void rejectsShapesThatDoNotBroadcast() {
    assertThrows(IllegalArgumentException.class, () -> BroadcastPlan.of(new int[] {2, 3}, new int[] {4}));
    assertThrows(IllegalArgumentException.class,
        () -> BroadcastPlan.sumTo(new float[6], new int[] {2, 3}, new int[] {4, 3}));
  }
}
