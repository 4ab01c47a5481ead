package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CancellationException;
import org.convscope.data.InMemoryDataset;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FiringRatesTest {
  private static final Model MODEL = TinyModels.tiny(3);
  private static final String LAYER = "stage2.relu1";

  @Test
  void countsTheImagesWhereEachUnitPeaksAboveTheThreshold() throws Exception {
    InMemoryDataset data = TinyModels.data(37, 4);
    // The reference: the whole dataset's activations at once, counted channel by channel.
    Tensor all = TinyModels.activations(MODEL, data, LAYER);
    int channels = all.dim(1);
    int plane = all.dim(2) * all.dim(3);
    for (float threshold : new float[] {0f, 0.5f}) {
      long[] expected = new long[channels];
      double[] peaks = new double[channels];
      for (int i = 0; i < 37; i++) {
        for (int c = 0; c < channels; c++) {
          float peak = Float.NEGATIVE_INFINITY;
          for (int p = 0; p < plane; p++) peak = Math.max(peak, all.data()[(i * channels + c) * plane + p]);
          if (peak > threshold) expected[c]++;
          peaks[c] += peak / 37;
        }
      }
      FiringRates.Result r = FiringRates.compute(MODEL, TinyModels.preprocessing(), data, LAYER,
          new FiringRates.Options(threshold, 8), PassListener.NONE, () -> false);
      assertEquals(37, r.images());
      assertArrayEquals(expected, r.fired(), "threshold " + threshold);
      for (int c = 0; c < channels; c++) {
        assertEquals(peaks[c], r.meanPeak()[c], 1e-5 * Math.max(1, Math.abs(peaks[c])));
        assertEquals(expected[c] / 37.0, r.rate(c), 1e-12);
      }
      int[] ranked = r.ranked();
      assertEquals(channels, ranked.length);
      for (int i = 1; i < ranked.length; i++) {
        assertEquals(true, r.fired()[ranked[i - 1]] >= r.fired()[ranked[i]], "ranked by count");
      }
    }
  }

  @Test
  void stopsWhenCancelled() {
    InMemoryDataset data = TinyModels.data(20, 5);
    assertThrows(CancellationException.class, () -> FiringRates.compute(MODEL, TinyModels.preprocessing(), data, LAYER,
        FiringRates.Options.defaults(), PassListener.NONE, () -> true));
  }
}
