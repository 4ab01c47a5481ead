package org.convscope.units;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.convscope.tensor.Tensor;

/**
 * For each of some channels of a layer, the K largest activations seen so far over a stream of batches, with
 * where they were (image, y, x). Memory is one bounded heap per channel: at most channels x K entries, whatever
 * the number of images.
 *
 * <p>The order is total, so results do not depend on batching: larger values first, then the smaller image
 * index, then the smaller y, then the smaller x. NaN activations are skipped.
 */
public final class TopActivations {
  /** One unit's activation at one place: channel {@code channel} at (y, x) of the layer, for image {@code image}. */
  public record Activation(int channel, float value, int image, int y, int x) {}

  /** Best first. */
  public static final Comparator<Activation> ORDER = Comparator.comparingDouble((Activation a) -> -a.value())
      .thenComparingInt(Activation::image).thenComparingInt(Activation::y).thenComparingInt(Activation::x);

  private final int[] channels;
  private final int k;
  private final boolean onePerImage;
  /** Per channel, the kept entries with the worst at the head. */
  private final List<PriorityQueue<Activation>> heaps = new ArrayList<>();

  /**
   * @param channels the channels to follow
   * @param k how many activations to keep per channel
   * @param onePerImage keep at most one activation per image and channel (its best position), so that the K
   *     entries show K different images rather than neighbouring positions of one
   */
  public TopActivations(int[] channels, int k, boolean onePerImage) {
    if (k < 1) throw new IllegalArgumentException("need at least one activation per channel, not " + k);
    this.channels = channels.clone();
    this.k = k;
    this.onePerImage = onePerImage;
    for (int i = 0; i < channels.length; i++) heaps.add(new PriorityQueue<>(k + 1, ORDER.reversed()));
  }

  /** The channels followed, in the order of {@link #top}. */
  public int[] channels() {
    return channels.clone();
  }

  /**
   * Offers a batch of activations.
   *
   * @param activations [B,C,H,W]
   * @param images the dataset index of each of the B images
   */
  public void add(Tensor activations, int[] images) {
    int[] shape = activations.shape();
    if (shape.length != 4 || shape[0] != images.length) {
      throw new IllegalArgumentException("expected activations [" + images.length + ",C,H,W], got " + activations);
    }
    int height = shape[2];
    int width = shape[3];
    int plane = height * width;
    float[] d = activations.data();
    for (int b = 0; b < images.length; b++) {
      for (int i = 0; i < channels.length; i++) {
        int c = channels[i];
        if (c < 0 || c >= shape[1]) throw new IllegalArgumentException("channel " + c + " is not in " + activations);
        int base = (b * shape[1] + c) * plane;
        PriorityQueue<Activation> heap = heaps.get(i);
        if (onePerImage) {
          int best = -1; // the first of the largest, so ties go to the smaller y, then x
          for (int p = 0; p < plane; p++) {
            float v = d[base + p];
            if (v == v && (best < 0 || v > d[base + best])) best = p;
          }
          if (best >= 0) offer(heap, new Activation(c, d[base + best], images[b], best / width, best % width));
        } else {
          for (int p = 0; p < plane; p++) {
            float v = d[base + p];
            // Most values lose to the worst kept one: skip them before allocating anything.
            if (v != v || heap.size() == k && v < heap.peek().value()) continue;
            offer(heap, new Activation(c, v, images[b], p / width, p % width));
          }
        }
      }
    }
  }

  private void offer(PriorityQueue<Activation> heap, Activation a) {
    if (heap.size() < k) {
      heap.add(a);
    } else if (ORDER.compare(a, heap.peek()) < 0) {
      heap.poll();
      heap.add(a);
    }
  }

  /** The kept activations of the {@code index}-th followed channel, best first. */
  public List<Activation> top(int index) {
    Activation[] kept = heaps.get(index).toArray(new Activation[0]);
    Arrays.sort(kept, ORDER);
    return List.of(kept);
  }

  /** How many entries are held now: never more than channels x K. */
  public int kept() {
    int n = 0;
    for (PriorityQueue<Activation> heap : heaps) n += heap.size();
    return n;
  }
}
