package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.convscope.data.InMemoryDataset;
import org.convscope.engine.InvalidInputException;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NetworkDissectionTest {
  private static final Model MODEL = TinyModels.tiny(11);
  private static final String LAYER = "stage1.relu1";
  private static final int CHANNEL = 2;

  /** One image's map of the channel [12,12] from the whole-model activations. */
  private static float[] map(Tensor all, int image) {
    int plane = 12 * 12;
    int from = (image * all.dim(1) + CHANNEL) * plane;
    return Arrays.copyOfRange(all.data(), from, from + plane);
  }

  /** The value of rank ceil(q n) by sorting. */
  private static float sortedQuantile(float[] values, double q) {
    float[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.max(1, Math.ceil(q * sorted.length)) - 1];
  }

  @Test
  void datasetThresholdAndMasksMatchADirectComputation() throws Exception {
    InMemoryDataset data = TinyModels.data(40, 2);
    Tensor all = TinyModels.activations(MODEL, data, LAYER);
    float[] channel = new float[40 * 144];
    for (int b = 0; b < 40; b++) System.arraycopy(map(all, b), 0, channel, b * 144, 144);
    for (double q : new double[] {0.995, 0.8}) {
      NetworkDissection.Options options = NetworkDissection.Options.defaults().withQuantile(q).withTop(4).withBatchSize(40);
      NetworkDissection.Result result = NetworkDissection.masks(MODEL, TinyModels.preprocessing(), data, LAYER, CHANNEL,
          options, PassListener.NONE, () -> false);
      assertEquals(sortedQuantile(channel, q), result.datasetThreshold(), "quantile " + q);
      assertEquals(40 * 144, result.activations());
      assertTrue(result.passes() <= 2);
      // The images where the channel peaks highest, best first.
      Integer[] byPeak = IntStream.range(0, 40).boxed().toArray(Integer[]::new);
      Arrays.sort(byPeak, Comparator.comparingDouble((Integer b) -> -max(map(all, b))));
      assertEquals(List.of(byPeak).subList(0, 4), result.masks().stream().map(NetworkDissection.UnitMask::image).toList());
      for (NetworkDissection.UnitMask m : result.masks()) {
        assertArrayEquals(map(all, m.image()), m.map().data(), 1e-5f);
        assertEquals(max(map(all, m.image())), m.peak(), 1e-5f);
        assertEquals(result.datasetThreshold(), m.threshold());
        assertEquals(m.image() % 3, m.label());
        assertArrayEquals(data.batch(new int[] {m.image()}).images().data(), m.pixels().data());
        assertArrayEquals(NetworkDissection.mask(m.map(), m.threshold(), 12, 12).data(), m.mask().data());
        // The layer keeps the input's size, so the mask is the map thresholded directly.
        for (int i = 0; i < 144; i++) assertEquals(m.map().data()[i] > m.threshold() ? 1f : 0f, m.mask().data()[i]);
      }
    }
  }

  @Test
  void perImageThresholdsAreEachImagesOwnQuantile() throws Exception {
    InMemoryDataset data = TinyModels.data(20, 3);
    Tensor all = TinyModels.activations(MODEL, data, "stage2.relu1");
    NetworkDissection.Result result = NetworkDissection.masks(MODEL, TinyModels.preprocessing(), data, "stage2.relu1", 5,
        NetworkDissection.Options.defaults().withScope(NetworkDissection.Scope.IMAGE).withQuantile(0.75).withTop(3),
        PassListener.NONE, () -> false);
    assertTrue(Float.isNaN(result.datasetThreshold()));
    assertEquals(1, result.passes());
    for (NetworkDissection.UnitMask m : result.masks()) {
      int from = (m.image() * 16 + 5) * 36;
      float[] own = Arrays.copyOfRange(all.data(), from, from + 36);
      assertEquals(sortedQuantile(own, 0.75), m.threshold(), 1e-5f);
      assertArrayEquals(new int[] {12, 12}, m.mask().shape(), "masks have the input's size");
      assertTrue(m.coverage() > 0 && m.coverage() < 0.5, "about the top quarter of the upsampled map: " + m.coverage());
    }
  }

  @Test
  void masksUpsampleBilinearlyWithHalfPixelCentres() {
    // Upsampled to 4x4, the map samples at 0, 0.25, 0.75, 1 on each axis, where it equals 2 sy + sx.
    Tensor map = Tensor.of(new float[] {0, 1, 2, 3}, 2, 2);
    assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, NetworkDissection.mask(map, 1.5f, 4, 4).data());
    assertEquals(3f, NetworkDissection.imageThreshold(Tensor.of(new float[] {3, Float.NaN, 1, 2}, 2, 2), 0.9));
  }

  @Test
  void badInputsAreExplained() {
    InMemoryDataset data = TinyModels.data(3, 1);
    NetworkDissection.Options options = NetworkDissection.Options.defaults();
    InvalidInputException channel = assertThrows(InvalidInputException.class, () -> NetworkDissection.masks(MODEL,
        TinyModels.preprocessing(), data, LAYER, 8, options, PassListener.NONE, () -> false));
    assertEquals("channel 8 is out of range: layer 'stage1.relu1' has 8 channels (0 to 7)", channel.getMessage());
    InvalidInputException flat = assertThrows(InvalidInputException.class, () -> NetworkDissection.masks(MODEL,
        TinyModels.preprocessing(), data, "fc", 0, options, PassListener.NONE, () -> false));
    assertEquals("layer 'fc' has no spatial extent (output [1,3]), so it has no masks; choose a convolutional layer", flat.getMessage());
    InvalidInputException unknown = assertThrows(InvalidInputException.class, () -> NetworkDissection.masks(MODEL,
        TinyModels.preprocessing(), data, "stage9", 0, options, PassListener.NONE, () -> false));
    assertTrue(unknown.getMessage().startsWith("unknown layer 'stage9'; closest names: "), unknown.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> NetworkDissection.masks(MODEL,
        TinyModels.preprocessing(), TinyModels.data(0, 1), LAYER, 0, options, PassListener.NONE, () -> false));
    assertEquals("random is empty", empty.getMessage());
    assertThrows(IllegalArgumentException.class, () -> options.withQuantile(1.0));
  }

  private static float max(float[] values) {
    float m = Float.NEGATIVE_INFINITY;
    for (float v : values) m = Math.max(m, v);
    return m;
  }
}
