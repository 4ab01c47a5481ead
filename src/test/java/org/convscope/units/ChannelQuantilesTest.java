package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ChannelQuantilesTest {
  /** Passes over {@code all} [N,C,H,W] in batches of {@code batch} images, counting the passes. */
  private static final class Replay implements ChannelQuantiles.Passes {
    final Tensor all;
    final int batch;
    int passes;

    Replay(Tensor all, int batch) {
      this.all = all;
      this.batch = batch;
    }

    @Override
    public void run(int pass, java.util.function.Consumer<Tensor> batches) {
      assertEquals(passes++, pass);
      int per = all.size() / all.dim(0);
      for (int from = 0; from < all.dim(0); from += batch) {
        int to = Math.min(all.dim(0), from + batch);
        batches.accept(Tensor.of(Arrays.copyOfRange(all.data(), from * per, to * per), to - from, all.dim(1), all.dim(2), all.dim(3)));
      }
    }
  }

  /** The quantile by sorting every value of the channel: the value of rank ceil(q n). */
  private static float direct(Tensor all, int channel, double q) {
    int n = all.dim(0);
    int c = all.dim(1);
    int plane = all.dim(2) * all.dim(3);
    float[] values = new float[n * plane];
    int count = 0;
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < plane; i++) {
        float v = all.data()[(b * c + channel) * plane + i];
        if (!Float.isNaN(v)) values[count++] = v;
      }
    }
    Arrays.sort(values, 0, count);
    return values[(int) Math.max(1, Math.ceil(q * count)) - 1];
  }

  /** Channel 0 normal, 1 ReLU-like (mostly zeros), 2 negative with -0 and +0, 3 few distinct values. */
  private static Tensor activations(int n, long seed) {
    Random random = new Random(seed);
    int h = 5;
    int w = 6;
    float[] d = new float[n * 4 * h * w];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < h * w; i++) {
        int at = b * 4 * h * w + i;
        d[at] = (float) random.nextGaussian() * 3;
        d[at + h * w] = (float) Math.max(0, random.nextGaussian() - 2);
        d[at + 2 * h * w] = random.nextInt(10) == 0 ? (random.nextBoolean() ? -0f : 0f) : (float) -Math.exp(random.nextGaussian());
        d[at + 3 * h * w] = random.nextInt(3);
      }
    }
    d[17] = Float.NaN;
    return Tensor.of(d, n, 4, h, w);
  }

  @Test
  void exactAgainstSortingEveryValueInTwoPasses() {
    Tensor all = activations(300, 1);
    int[] channels = {0, 1, 2, 3};
    for (double q : new double[] {0.995, 0.5, 0.9, 0.0, 1.0}) {
      Replay replay = new Replay(all, 64);
      ChannelQuantiles.Result result = ChannelQuantiles.compute(replay, channels, q);
      for (int c : channels) {
        assertEquals(direct(all, c, q), result.thresholds()[c], "channel " + c + ", quantile " + q);
      }
      assertEquals(300 * 30 - 1, result.counts()[0], "the NaN is not counted");
      assertTrue(result.passes() <= 2, result.passes() + " passes");
    }
  }

  @Test
  void channelsWhoseValuesFitAreDoneInOnePassAndOthersInTwo() {
    Tensor all = activations(100, 3); // 3,000 values per channel, one of them NaN
    for (double q : new double[] {0.995, 0.5}) {
      ChannelQuantiles.Result fits = ChannelQuantiles.compute(new Replay(all, 16), new int[] {0, 1, 2, 3}, q, 3000);
      assertEquals(1, fits.passes(), "every channel's values fit under the cap");
      ChannelQuantiles.Result over = ChannelQuantiles.compute(new Replay(all, 16), new int[] {0, 1, 2, 3}, q, 2998);
      assertEquals(2, over.passes(), "no channel's values fit");
      for (int c = 0; c < 4; c++) {
        assertEquals(direct(all, c, q), fits.thresholds()[c], "channel " + c + ", quantile " + q);
        assertEquals(direct(all, c, q), over.thresholds()[c], "channel " + c + ", quantile " + q);
      }
    }
  }

  @Test
  void bucketsTooFullToCollectAreCountedByTheirNextBits() {
    Tensor all = activations(200, 2);
    for (double q : new double[] {0.995, 0.3}) {
      // A cap of 5 values forces the second pass to count rather than collect, which fixes all 32 bits.
      Replay replay = new Replay(all, 32);
      ChannelQuantiles.Result result = ChannelQuantiles.compute(replay, new int[] {0, 1, 3}, q, 5);
      assertEquals(direct(all, 0, q), result.thresholds()[0]);
      assertEquals(direct(all, 1, q), result.thresholds()[1]);
      assertEquals(direct(all, 3, q), result.thresholds()[2]);
      assertEquals(2, result.passes());
    }
  }

  @Test
  void handComputedRanks() {
    float[] values = new float[1000];
    for (int i = 0; i < values.length; i++) values[i] = 1000 - i; // 1000 down to 1
    Tensor all = Tensor.of(values, 10, 1, 10, 10);
    assertEquals(995f, ChannelQuantiles.compute(new Replay(all, 3), new int[] {0}, 0.995).thresholds()[0]);
    assertEquals(1f, ChannelQuantiles.compute(new Replay(all, 3), new int[] {0}, 0.0).thresholds()[0]);
    assertEquals(1000f, ChannelQuantiles.compute(new Replay(all, 3), new int[] {0}, 1.0).thresholds()[0]);
  }

  @Test
  void keysSortAsTheFloatsDo() {
    float[] sorted = {Float.NEGATIVE_INFINITY, -3e38f, -1.5f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1f, 2.5f, Float.POSITIVE_INFINITY};
    for (int i = 0; i + 1 < sorted.length; i++) {
      assertTrue(Integer.compareUnsigned(ChannelQuantiles.key(sorted[i]), ChannelQuantiles.key(sorted[i + 1])) < 0, sorted[i] + " < " + sorted[i + 1]);
      assertEquals(Float.floatToRawIntBits(sorted[i]), Float.floatToRawIntBits(ChannelQuantiles.value(ChannelQuantiles.key(sorted[i]))));
    }
  }

  @Test
  void aChannelOfOnlyNaNHasNoQuantile() {
    Tensor all = Tensor.full(Float.NaN, 2, 1, 2, 2);
    ChannelQuantiles.Result result = ChannelQuantiles.compute(new Replay(all, 1), new int[] {0}, 0.5);
    assertTrue(Float.isNaN(result.thresholds()[0]));
    assertEquals(0, result.counts()[0]);
    assertEquals(1, result.passes());
  }
}
