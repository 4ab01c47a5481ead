package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TopActivationsTest {
  /** Activations [N,C,H,W] rounded to a few levels, so that ties are common. */
  private static Tensor activations(int n, int c, int h, int w, long seed) {
    Random random = new Random(seed);
    float[] d = new float[n * c * h * w];
    for (int i = 0; i < d.length; i++) d[i] = Math.round(random.nextGaussian() * 4) / 2f;
    d[5] = Float.NaN;
    return Tensor.of(d, n, c, h, w);
  }

  /** Every activation of the channel sorted by the documented order, the first K (one per image if asked). */
  static List<TopActivations.Activation> exhaustive(Tensor all, int channel, int k, boolean onePerImage) {
    int n = all.dim(0);
    int c = all.dim(1);
    int h = all.dim(2);
    int w = all.dim(3);
    List<TopActivations.Activation> every = new ArrayList<>();
    for (int b = 0; b < n; b++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float v = all.data()[((b * c + channel) * h + y) * w + x];
          if (!Float.isNaN(v)) every.add(new TopActivations.Activation(channel, v, b, y, x));
        }
      }
    }
    every.sort(TopActivations.ORDER);
    List<TopActivations.Activation> top = new ArrayList<>();
    boolean[] used = new boolean[n];
    for (TopActivations.Activation a : every) {
      if (top.size() == k) break;
      if (onePerImage && used[a.image()]) continue;
      used[a.image()] = true;
      top.add(a);
    }
    return top;
  }

  @Test
  void streamingInUnevenBatchesMatchesAnExhaustiveSearchWithBoundedState() {
    Tensor all = activations(23, 4, 3, 5, 1);
    int[] channels = {3, 0, 2};
    int k = 6;
    for (boolean onePerImage : new boolean[] {false, true}) {
      TopActivations top = new TopActivations(channels, k, onePerImage);
      int per = 4 * 3 * 5;
      for (int from = 0, size = 1; from < 23; from += size, size = size % 7 + 2) {
        int to = Math.min(23, from + size);
        int[] images = new int[to - from];
        for (int i = 0; i < images.length; i++) images[i] = from + i;
        top.add(Tensor.of(Arrays.copyOfRange(all.data(), from * per, to * per), to - from, 4, 3, 5), images);
        assertTrue(top.kept() <= channels.length * k, "state stays within channels x K: " + top.kept());
      }
      for (int i = 0; i < channels.length; i++) {
        assertEquals(exhaustive(all, channels[i], k, onePerImage), top.top(i), "channel " + channels[i] + ", one per image " + onePerImage);
      }
    }
  }

  @Test
  void tiesGoToTheEarlierImageThenTheEarlierPosition() {
    TopActivations top = new TopActivations(new int[] {0}, 3, false);
    top.add(Tensor.full(1f, 1, 1, 2, 2), new int[] {7});
    top.add(Tensor.full(1f, 1, 1, 2, 2), new int[] {2});
    assertEquals(List.of(new TopActivations.Activation(0, 1f, 2, 0, 0), new TopActivations.Activation(0, 1f, 2, 0, 1),
        new TopActivations.Activation(0, 1f, 2, 1, 0)), top.top(0));
  }
}
