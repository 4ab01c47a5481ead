package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Occlusion and RISE on a model that looks only at the 4x4 region at rows 4-7, columns 8-11 of a 16x16 image. */
class PerturbationMethodsTest {
  private static boolean inRegion(int p) {
    int y = p / 16;
    int x = p % 16;
    return y >= 4 && y < 8 && x >= 8 && x < 12;
  }

  /** Chebyshev distance from pixel p to the region. */
  private static int distance(int p) {
    int y = p / 16;
    int x = p % 16;
    int dy = y < 4 ? 4 - y : y >= 8 ? y - 7 : 0;
    int dx = x < 8 ? 8 - x : x >= 12 ? x - 11 : 0;
    return Math.max(dy, dx);
  }

  private static Tensor image() {
    Tensor x = TinyNets.random(4, 2, 1, 16, 16);
    float[] d = x.data();
    for (int i = 0; i < d.length; i++) d[i] = Math.abs(d[i]) + 0.5f; // positive, so blanking lowers the mean
    return x;
  }

  @Test
  void occlusionLightsUpTheRegionAndNothingElse() {
    Model model = TinyNets.regionOnly();
    Tensor x = image();
    Query query = Query.forClass(model, x, 0, null);
    Attribution a = new Occlusion(new Occlusion.Options(4, 4, 0f, 5)).explain(query);
    assertEquals(MapKind.PIXELS, a.kind());
    assertArrayEquals(new int[] {2, 16, 16}, a.map().shape());
    float[] map = a.map().data();
    for (int i = 0; i < 2; i++) {
      for (int p = 0; p < 256; p++) {
        if (inRegion(p)) {
          // A 4x4 window on the region's cell removes those 16 pixels: the score 3 * mean drops by 3 * their sum / 16.
          int cell = (p / 16) / 4 * 4 * 16 + (p % 16) / 4 * 4;
          double sum = 0;
          for (int y = 0; y < 4; y++) for (int xx = 0; xx < 4; xx++) sum += x.data()[i * 256 + cell + y * 16 + xx];
          assertEquals(3 * sum / 16, map[i * 256 + p], 1e-5, "pixel " + p);
        } else {
          assertEquals(0f, map[i * 256 + p], 1e-6f, "pixel " + p);
        }
      }
    }
  }

  @Test
  void occlusionAveragesOverlappingWindowsAndCoversTheEdges() {
    assertArrayEquals(new int[] {0, 4, 8, 10}, Occlusion.starts(14, 4, 4));
    assertArrayEquals(new int[] {0}, Occlusion.starts(3, 3, 2));
    Model model = TinyNets.regionOnly();
    Tensor x = image();
    Query query = Query.forClass(model, x, 1, null);
    float[] batched = new Occlusion(new Occlusion.Options(6, 3, 0.5f, 7)).explain(query).map().data();
    float[] single = new Occlusion(new Occlusion.Options(6, 3, 0.5f, 1)).explain(query).map().data();
    assertArrayEquals(single, batched);
    for (int p = 0; p < 256; p++) {
      // windows of 6 reach at most 5 pixels beyond the region
      if (distance(p) > 5) assertEquals(0f, batched[p], 0f);
      if (inRegion(p)) assertTrue(batched[p] != 0f);
    }
  }

  @Test
  void occlusionsDefaultWindowScalesWithTheInput() {
    Occlusion.Options d = Occlusion.Options.defaults();
    assertEquals(4, d.window(28, 28), "Fashion-MNIST: an eighth of 28, rounded");
    assertEquals(2, d.stride(28, 28));
    assertEquals(8, d.window(64, 64));
    assertEquals(4, d.stride(64, 64));
    assertEquals(16, d.window(224, 224), "ImageNet size keeps 16/8");
    assertEquals(8, d.stride(224, 224));
    assertEquals(2, d.window(16, 40), "the shorter side decides");
    assertEquals(1, d.stride(16, 40));
    assertEquals(1, d.window(3, 3));
    Occlusion.Options given = new Occlusion.Options(6, Occlusion.Options.AUTO, 0f, 1);
    assertEquals(6, given.window(224, 224));
    assertEquals(3, given.stride(224, 224), "an automatic stride is half a given window");
  }

  @Test
  void occlusionByDefaultUsesTheScaledWindow() {
    // On the 16x16 region model the default is a 2x2 window with stride 1: it equals the explicit options.
    Model model = TinyNets.regionOnly();
    Query query = Query.forClass(model, image(), 0, null);
    float[] automatic = new Occlusion(Occlusion.Options.defaults()).explain(query).map().data();
    float[] explicit = new Occlusion(new Occlusion.Options(2, 1, 0f, 16)).explain(query).map().data();
    assertArrayEquals(explicit, automatic);
    for (int p = 0; p < 256; p++) {
      if (distance(p) > 1) assertEquals(0f, automatic[p], 0f, "a 2-pixel window reaches 1 pixel beyond the region");
      if (inRegion(p)) assertTrue(automatic[p] > 0f);
    }
  }

  @Test
  void riseLightsUpTheRegionAndIsFlatFarFromIt() {
    Model model = TinyNets.regionOnly();
    Tensor x = image();
    for (int i = 0; i < x.size(); i++) x.data()[i] *= 0.3f; // keeps the probability away from saturation
    Query query = Query.forClass(model, x, 0, null);
    Attribution a = new Rise(new Rise.Options(4000, 4, 0.5, 3, 64)).explain(query);
    assertEquals(MapKind.PIXELS, a.kind());
    float[] map = a.map().data();
    for (int i = 0; i < 2; i++) {
      double far = 0;
      double farSquares = 0;
      double insideMin = Double.POSITIVE_INFINITY;
      int farCount = 0;
      for (int p = 0; p < 256; p++) {
        double v = map[i * 256 + p];
        assertTrue(Double.isFinite(v));
        if (inRegion(p)) insideMin = Math.min(insideMin, v);
        if (distance(p) > 4) { // farther than one cell: masks there are independent of the region's
          far += v;
          farSquares += v * v;
          farCount++;
        }
      }
      far /= farCount;
      double spread = Math.sqrt(farSquares / farCount - far * far);
      // Far from the region the map estimates the mean score, whatever the pixel: flat up to sampling noise.
      assertTrue(spread < 0.02 * far, "item " + i + ": far values " + far + " +- " + spread);
      assertTrue(insideMin > far + 4 * spread, "item " + i + ": inside at least " + insideMin + ", far " + far + " +- " + spread);
    }
  }

  @Test
  void riseMasksRepeatAndLookLikeThePapers() {
    Rise rise = new Rise(new Rise.Options(10, 4, 0.5, 11, 16));
    float[] m = rise.mask(3, 16, 16);
    assertArrayEquals(m, rise.mask(3, 16, 16));
    for (float v : m) assertTrue(v >= 0 && v <= 1);
    float[] other = rise.mask(4, 16, 16);
    assertTrue(!java.util.Arrays.equals(m, other));
    Model model = TinyNets.regionOnly();
    Query query = Query.forClass(model, image(), 0, null);
    assertArrayEquals(new Rise(new Rise.Options(40, 4, 0.5, 3, 1)).explain(query).map().data(),
        new Rise(new Rise.Options(40, 4, 0.5, 3, 13)).explain(query).map().data(), 1e-6f);
  }
}
