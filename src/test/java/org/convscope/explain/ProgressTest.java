package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Methods that run many passes report one update per batch, counting up to their total, and the maps do not change. */
class ProgressTest {
  private static List<long[]> updates(Query query) {
    List<long[]> seen = new ArrayList<>();
    query.reportingTo((done, total) -> seen.add(new long[] {done, total}));
    return seen;
  }

  private static void countsUpInBatches(List<long[]> seen, long total, int batchSize) {
    assertEquals((total + batchSize - 1) / batchSize, seen.size(), "one update per batch");
    for (int i = 0; i < seen.size(); i++) {
      assertEquals(total, seen.get(i)[1]);
      assertEquals(Math.min(total, (long) (i + 1) * batchSize), seen.get(i)[0]);
    }
  }

  @Test
  void scoreCamReportsEachBatchOfMaskedInputs() {
    Model model = TinyNets.stridedSquaredHead();
    Tensor x = TinyNets.random(5, 2, 2, 8, 8);
    Query plain = Query.forClasses(model, x, new int[] {1, 2}, "features");
    float[] expected = new ScoreCam(new ScoreCam.Options(3)).explain(plain).map().data();
    Query query = Query.forClasses(model, x, new int[] {1, 2}, "features");
    List<long[]> seen = updates(query);
    float[] map = new ScoreCam(new ScoreCam.Options(3)).explain(query).map().data();
    assertTrue(!seen.isEmpty());
    countsUpInBatches(seen, seen.get(0)[1], 3);
    assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(map), "progress changes nothing");
  }

  @Test
  void smoothGradReportsEachBatchOfSamples() {
    Model model = TinyNets.stridedSquaredHead();
    Tensor x = TinyNets.random(7, 1, 2, 8, 8);
    Query query = Query.forClasses(model, x, new int[] {0}, null);
    List<long[]> seen = updates(query);
    new SmoothGrad(new SmoothGrad.Options(10, 0.15, 1, 4)).explain(query);
    countsUpInBatches(seen, 10, 4);
  }

  @Test
  void occlusionReportsEachBatchOfWindows() {
    Model model = TinyNets.stridedSquaredHead();
    Tensor x = TinyNets.random(9, 1, 2, 8, 8);
    Query query = Query.forClasses(model, x, new int[] {0}, null);
    List<long[]> seen = updates(query);
    new Occlusion(new Occlusion.Options(4, 2, 0f, 4)).explain(query);
    countsUpInBatches(seen, 9, 4); // windows at 0, 2 and 4 in each direction
  }
}
