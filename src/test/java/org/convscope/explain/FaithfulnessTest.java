package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.convscope.engine.InvalidInputException;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FaithfulnessTest {
  /** A pixel map that is 1 on the 4x4 block at (row, column) and 0 elsewhere, for both items of a batch. */
  private static Attribution block(int row, int column) {
    float[] map = new float[2 * 256];
    for (int i = 0; i < 2; i++) {
      for (int y = row; y < row + 4; y++) for (int x = column; x < column + 4; x++) map[i * 256 + y * 16 + x] = 1;
    }
    return new Attribution("block", MapKind.PIXELS, Tensor.of(map, 2, 16, 16));
  }

  /** Dim noise with the region the model reads brighter, so that blurring dims the region. */
  private static Tensor image() {
    Tensor x = TinyNets.random(4, 2, 1, 16, 16);
    for (int i = 0; i < x.size(); i++) {
      int p = i % 256;
      boolean region = p / 16 >= 4 && p / 16 < 8 && p % 16 >= 8 && p % 16 < 12;
      x.data()[i] = 0.1f * Math.abs(x.data()[i]) + (region ? 0.5f : 0.05f);
    }
    return x;
  }

  private static double probability0(Model model, Tensor oneImage) {
    float[] l = model.network().predict(oneImage).data();
    return 1 / (1 + Math.exp(l[1] - l[0]));
  }

  @Test
  void deletionAndInsertionCurvesOfAMapThatFindsTheRegion() {
    Model model = TinyNets.regionOnly();
    Tensor x = image();
    Query query = Query.forClass(model, x, 0, null);
    // 16 steps of 16 pixels: the first step deletes (or inserts) exactly the region the model reads.
    DeletionInsertion.Options options = new DeletionInsertion.Options(16, 0f, 0.1, 5);
    DeletionInsertion.Result good = DeletionInsertion.evaluate(query, block(4, 8), options);
    DeletionInsertion.Result bad = DeletionInsertion.evaluate(query, block(12, 0), options);
    float[] canvas = GaussianBlur.blur(x.data(), 2, 16, 16, 1.6);
    for (int i = 0; i < 2; i++) {
      double clean = probability0(model, x.slice0(i, i + 1));
      double blurred = probability0(model, Tensor.of(java.util.Arrays.copyOfRange(canvas, i * 256, i * 256 + 256), 1, 1, 16, 16));
      assertEquals(17, good.deletion()[i].length);
      assertEquals(clean, good.deletion()[i][0], 1e-6);
      for (int t = 1; t <= 16; t++) assertEquals(0.5, good.deletion()[i][t], 1e-6, "deleted region: logits 0 and 0");
      assertEquals(blurred, good.insertion()[i][0], 1e-6);
      for (int t = 1; t <= 16; t++) assertEquals(clean, good.insertion()[i][t], 1e-6);
      assertEquals((clean + 0.5) / 2 / 16 + 15 * 0.5 / 16, good.deletionAuc()[i], 1e-6);
      assertEquals((blurred + clean) / 2 / 16 + 15 * clean / 16, good.insertionAuc()[i], 1e-6);
      assertTrue(good.deletionAuc()[i] < bad.deletionAuc()[i]);
      assertTrue(good.insertionAuc()[i] > bad.insertionAuc()[i]);
    }
    DeletionInsertion.Result single = DeletionInsertion.evaluate(query, block(12, 0), new DeletionInsertion.Options(16, 0f, 0.1, 1));
    assertArrayEquals(bad.deletionAuc(), single.deletionAuc(), 1e-12);
    assertArrayEquals(bad.insertionAuc(), single.insertionAuc(), 1e-12);
  }

  @Test
  void areaIsTheTrapezoidRule() {
    assertEquals(0.5, DeletionInsertion.area(new double[] {1, 0}), 1e-12);
    assertEquals((0.5 + 1.5 + 1.5) / 3, DeletionInsertion.area(new double[] {0, 1, 2, 1}), 1e-12);
  }

  @Test
  void pointingGameHitsWhenTheMaximumIsOnTheBox() {
    Attribution a = block(4, 8);
    a.map().data()[256 + 15 * 16 + 15] = 2; // item 1's maximum is the bottom-right corner
    PointingGame.Box box = PointingGame.Box.parse("8,4,12,8");
    assertArrayEquals(new boolean[] {true, false}, PointingGame.hits(a, 16, 16, box, 0));
    PointingGame.Box corner = new PointingGame.Box(10, 10, 15, 15); // ends exclusive: (15,15) is one pixel off
    assertArrayEquals(new boolean[] {false, false}, PointingGame.hits(a, 16, 16, corner, 0));
    assertArrayEquals(new boolean[] {false, true}, PointingGame.hits(a, 16, 16, corner, 1));
    assertEquals("a box is x0,y0,x1,y1, got '1,2,3'",
        assertThrows(InvalidInputException.class, () -> PointingGame.Box.parse("1,2,3")).getMessage());
    assertThrows(InvalidInputException.class, () -> PointingGame.hits(a, 16, 16, new PointingGame.Box(0, 0, 17, 4), 0));
  }

  @Test
  void spearmanAveragesTies() {
    float[] up = {1, 2, 3, 4};
    assertEquals(1, RankCorrelation.spearman(up, 0, new float[] {10, 20, 30, 40}, 0, 4), 1e-12);
    assertEquals(-1, RankCorrelation.spearman(up, 0, new float[] {4, 3, 2, 1}, 0, 4), 1e-12);
    assertEquals(1.5 / Math.sqrt(3), RankCorrelation.spearman(new float[] {1, 1, 2}, 0, new float[] {1, 2, 3}, 0, 3), 1e-12);
    assertEquals(0, RankCorrelation.spearman(new float[] {5, 5, 5}, 0, new float[] {1, 2, 3}, 0, 3), 0);
    assertEquals(1, RankCorrelation.spearman(new float[] {9, 1, 2, 3}, 1, new float[] {0, 0, 5, 6, 7}, 2, 3), 1e-12);
  }

  /** A map that ignores the model: the input itself. */
  private static final class InputItself implements Explainer {
    @Override
    public String name() {
      return "input";
    }

    @Override
    public MapKind kind() {
      return MapKind.INPUT;
    }

    @Override
    public boolean usesLayer() {
      return false;
    }

    @Override
    public Attribution explain(Query query) {
      return new Attribution(name(), kind(), query.batch());
    }
  }

  @Test
  void modelRandomizationCascadesFromTheTopAndLeavesTheModelAlone() {
    Model model = TinyNets.twoLayers();
    Map<String, Tensor> before = new HashMap<>(model.graph().initializers());
    Map<String, float[]> values = new HashMap<>();
    before.forEach((k, v) -> values.put(k, v.data().clone()));
    Tensor x = TinyNets.random(3, 2, 2, 4, 4);
    Query query = Query.forClass(model, x, 1, null);
    ModelRandomization.Options options = new ModelRandomization.Options(5, 1);

    List<ModelRandomization.Step> ignoring = ModelRandomization.check(query, new InputItself(),
        new InputItself().explain(query), options);
    assertEquals(List.of("fc2", "fc1"), ignoring.stream().map(ModelRandomization.Step::layer).toList());
    for (ModelRandomization.Step s : ignoring) assertArrayEquals(new double[] {1, 1}, s.spearman(), 1e-12);

    Saliency saliency = new Saliency();
    Attribution original = saliency.explain(query);
    List<ModelRandomization.Step> steps = ModelRandomization.check(query, saliency, original, options);
    assertEquals(2, steps.size());
    for (ModelRandomization.Step s : steps) {
      for (double rho : s.spearman()) assertTrue(rho < 0.9 && rho >= -1, s.layer() + ": " + rho);
    }
    Attribution again = saliency.explain(Query.forClass(model, x, 1, null));
    assertArrayEquals(original.map().data(), again.map().data(), "the model still explains as before");
    for (Map.Entry<String, Tensor> e : model.graph().initializers().entrySet()) {
      assertSame(before.get(e.getKey()), e.getValue());
      assertArrayEquals(values.get(e.getKey()), e.getValue().data());
    }
  }
}
