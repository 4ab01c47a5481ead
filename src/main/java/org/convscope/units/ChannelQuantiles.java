package org.convscope.units;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.convscope.tensor.Tensor;

/**
 * Exact quantiles of each channel's activations over a whole dataset, in memory that does not grow with the
 * dataset, as Network Dissection needs for its thresholds (Bau et al., "Network Dissection: Quantifying
 * Interpretability of Deep Visual Representations", CVPR 2017).
 *
 * <p>The method is a radix selection over several passes. A float's bits, with the sign handled, sort as the
 * floats do; pass 1 counts each channel's values by the top bits of that pattern (65,536 counts per channel
 * for up to 128 channels, fewer bits for more channels), which finds the bucket that holds the wanted rank.
 * The next pass collects the values in that bucket and picks the exact one; when the bucket holds too many
 * values to collect, the pass counts it by the next bits instead. With 16 bits per pass that is two passes at
 * most. Pass 1 also keeps the values themselves while they fit in what the final selection may collect: when a
 * channel has no more values than that (8 units over the demo's 2,000 images at 7x7 have 98,000 each), its
 * quantile is picked at the end of pass 1 and the second pass is skipped. A subsample or a fixed histogram would be one pass, but their thresholds are approximate, and a unit's
 * mask moves with its threshold.
 *
 * <p>The quantile q of M values is the value of rank ceil(q M) (1 = smallest): the smallest value with at least
 * a fraction q of the values at or below it. NaN values are ignored.
 */
public final class ChannelQuantiles {
  /** Memory for the counts of all channels, in bytes. */
  private static final long COUNT_BUDGET = 64L << 20;
  /** Values collected for the final selection, over all channels. */
  private static final int COLLECT_BUDGET = 1 << 22;

  /** A stream of activations that can be replayed: every pass must see the same values, in any batches. */
  @FunctionalInterface
  public interface Passes {
    /**
     * Runs pass number {@code pass} (0 first), handing each batch's activations [B,C,H,W] to {@code batches}.
     */
    void run(int pass, Consumer<Tensor> batches);
  }

  /**
   * @param thresholds the quantile of each channel asked for, NaN for a channel without values
   * @param counts how many values each channel had
   * @param passes how many passes it took
   */
  public record Result(float[] thresholds, long[] counts, int passes) {}

  private ChannelQuantiles() {}

  /**
   * @param channels the channels (indices into dimension 1 of the activations) to find the quantile of
   * @param quantile in [0, 1]; Network Dissection uses 0.995
   */
  public static Result compute(Passes passes, int[] channels, double quantile) {
    return compute(passes, channels, quantile, Math.max(1 << 16, COLLECT_BUDGET / Math.max(1, channels.length)));
  }

  /** With at most {@code collectCap} values collected per channel (tests force counting passes with it). */
  static Result compute(Passes passes, int[] channels, double quantile, int collectCap) {
    if (!(quantile >= 0 && quantile <= 1)) throw new IllegalArgumentException("quantile must be in [0,1], not " + quantile);
    int bits = bitsPerPass(channels.length);
    List<Search> searches = new ArrayList<>();
    for (int c : channels) searches.add(new Search(c, bits));
    int pass = 0;
    while (searches.stream().anyMatch(s -> !s.done)) {
      for (Search s : searches) s.beginPass(collectCap);
      passes.run(pass, batch -> {
        for (Search s : searches) s.add(batch);
      });
      for (Search s : searches) s.endPass(quantile);
      pass++;
    }
    float[] thresholds = new float[channels.length];
    long[] counts = new long[channels.length];
    for (int i = 0; i < channels.length; i++) {
      thresholds[i] = searches.get(i).threshold;
      counts[i] = searches.get(i).count;
    }
    return new Result(thresholds, counts, pass);
  }

  /** The rank (1-based, ascending) of the {@code quantile} among {@code count} values. */
  static long rank(double quantile, long count) {
    return Math.min(count, Math.max(1, (long) Math.ceil(quantile * count)));
  }

  /** As many bits as the count budget allows for this many channels, between 8 and 16. */
  private static int bitsPerPass(int channels) {
    int bits = 16;
    while (bits > 8 && (long) Math.max(1, channels) * (8L << bits) > COUNT_BUDGET) bits--;
    return bits;
  }

  /** The float's bits mapped to an int that sorts, unsigned, as the floats do (-0 just below +0). */
  static int key(float v) {
    int bits = Float.floatToRawIntBits(v);
    return bits >= 0 ? bits ^ Integer.MIN_VALUE : ~bits;
  }

  static float value(int key) {
    return Float.intBitsToFloat(key < 0 ? key ^ Integer.MIN_VALUE : ~key);
  }

  /** The search for one channel's quantile: the known top bits of the wanted value's key, and its rank among the values that share them. */
  private static final class Search {
    final int channel;
    final int bitsPerPass;
    long count = -1;
    long rank;
    int prefix;
    int prefixBits;
    /** Counts by the next bits, in a counting pass. */
    long[] counts;
    int bits;
    /** The values sharing the prefix, in a collecting pass. */
    float[] collected;
    int collectedSize;
    long candidates = -1;
    /** Every value of the first pass while they fit under the cap; null once they do not. */
    float[] firstPass;
    int firstPassSize;
    int cap;
    boolean done;
    float threshold = Float.NaN;

    Search(int channel, int bitsPerPass) {
      this.channel = channel;
      this.bitsPerPass = bitsPerPass;
    }

    void beginPass(int collectCap) {
      if (done) return;
      if (count < 0) {
        cap = collectCap;
        firstPass = new float[Math.min(collectCap, 1 << 12)];
        firstPassSize = 0;
      }
      if (candidates >= 0 && candidates <= collectCap) {
        collected = new float[(int) candidates];
        collectedSize = 0;
        counts = null;
      } else {
        bits = Math.min(bitsPerPass, 32 - prefixBits);
        counts = new long[1 << bits];
      }
    }

    void add(Tensor batch) {
      if (done) return;
      int[] shape = batch.shape();
      if (channel >= shape[1]) throw new IllegalArgumentException("channel " + channel + " is not in " + batch);
      int plane = shape[2] * shape[3];
      float[] d = batch.data();
      for (int b = 0; b < shape[0]; b++) {
        int base = (b * shape[1] + channel) * plane;
        for (int i = base; i < base + plane; i++) {
          float v = d[i];
          if (v != v) continue;
          int k = key(v);
          if (prefixBits > 0 && k >>> (32 - prefixBits) != prefix) continue;
          if (counts != null) {
            counts[(k << prefixBits) >>> (32 - bits)]++;
            if (firstPass != null) keep(v);
          } else {
            if (collectedSize == collected.length) throw new IllegalStateException("a pass saw other values than the one before");
            collected[collectedSize++] = v;
          }
        }
      }
    }

    private void keep(float v) {
      if (firstPassSize == firstPass.length) {
        if (firstPassSize >= cap) {
          firstPass = null;
          return;
        }
        firstPass = Arrays.copyOf(firstPass, (int) Math.min(cap, 2L * firstPassSize));
      }
      firstPass[firstPassSize++] = v;
    }

    void endPass(double quantile) {
      if (done) return;
      if (counts == null) {
        if (collectedSize != collected.length) throw new IllegalStateException("a pass saw other values than the one before");
        Arrays.sort(collected);
        finish(collected[(int) rank - 1]);
        return;
      }
      if (count < 0) {
        count = 0;
        for (long n : counts) count += n;
        if (count == 0) {
          done = true;
          return;
        }
        rank = rank(quantile, count);
        if (firstPass != null) {
          float[] all = Arrays.copyOf(firstPass, firstPassSize);
          firstPass = null;
          Arrays.sort(all);
          counts = null;
          finish(all[(int) rank - 1]);
          return;
        }
      }
      int bucket = 0;
      while (rank > counts[bucket]) rank -= counts[bucket++];
      candidates = counts[bucket];
      prefix = prefixBits == 0 ? bucket : prefix << bits | bucket;
      prefixBits += bits;
      counts = null;
      if (prefixBits == 32) finish(value(prefix));
    }

    private void finish(float value) {
      threshold = value;
      done = true;
      collected = null;
    }
  }
}
