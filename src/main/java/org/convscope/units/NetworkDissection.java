package org.convscope.units;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.input.Bilinear;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/**
 * Hidden-unit masks as in Network Dissection (Bau et al., "Network Dissection: Quantifying Interpretability of
 * Deep Visual Representations", CVPR 2017): a unit's activation map, upsampled bilinearly to the input's size
 * and thresholded, marks where in the image the unit fires.
 *
 * <p>The threshold is a quantile of the unit's activations. Over the whole dataset (every position of every
 * image, as the paper does; 0.995 keeps the top 0.5%), one threshold serves all images, so masks compare
 * between images and a weak response gets a small mask or none. Per image, the threshold is the quantile of
 * that image's own map, which always marks its strongest part. The mask keeps values strictly above the
 * threshold (the paper writes at or above), so that where a unit is zero on all but a few positions, its
 * zeros are not marked. The masks are shown on the images where the unit's peak activation is highest.
 */
public final class NetworkDissection {
  /** Where the threshold comes from. */
  public enum Scope {
    /** The quantile over the whole dataset, exact ({@link ChannelQuantiles}); one more pass over the data. */
    DATASET,
    /** The quantile of each image's own map. */
    IMAGE
  }

  /**
   * @param quantile the threshold's quantile, in (0, 1)
   * @param top how many images to mask: those with the highest peak activation
   * @param batchSize images per forward pass
   */
  public record Options(double quantile, Scope scope, int top, int batchSize) {
    public Options {
      if (!(quantile > 0 && quantile < 1)) throw new IllegalArgumentException("the quantile must be between 0 and 1, not " + quantile);
      if (scope == null) throw new IllegalArgumentException("a threshold scope is required");
      if (top < 1) throw new IllegalArgumentException("need at least one image to mask, not " + top);
      if (batchSize < 1) throw new IllegalArgumentException("the batch size must be at least 1, not " + batchSize);
    }

    /** The top 0.5% over the dataset, on the 8 images where the unit peaks highest, 64 images per batch. */
    public static Options defaults() {
      return new Options(0.995, Scope.DATASET, 8, 64);
    }

    public Options withQuantile(double q) {
      return new Options(q, scope, top, batchSize);
    }

    public Options withScope(Scope s) {
      return new Options(quantile, s, top, batchSize);
    }

    public Options withTop(int k) {
      return new Options(quantile, scope, k, batchSize);
    }

    public Options withBatchSize(int b) {
      return new Options(quantile, scope, top, b);
    }
  }

  /**
   * One masked image.
   *
   * @param image the image's index in the dataset
   * @param label its class, -1 when unlabelled
   * @param peak the unit's largest activation on it
   * @param y the row of the layer's map where it peaks (the first such position, as {@link TopActivations} keeps)
   * @param x the column
   * @param threshold the threshold its mask used
   * @param pixels the image [C,H,W], values in [0,1]
   * @param map the unit's activations at the layer's resolution [h,w]
   * @param mask [H,W]: 1 where the upsampled map is above the threshold, else 0
   */
  public record UnitMask(int image, int label, float peak, int y, int x, float threshold, Tensor pixels, Tensor map,
      Tensor mask) {
    /** The unit's peak on this image as a top activation, for {@link MaximallyActivatingPatches#locate}. */
    public TopActivations.Activation activation(int channel) {
      return new TopActivations.Activation(channel, peak, image, y, x);
    }

    /** The fraction of the image the mask covers. */
    public double coverage() {
      double sum = 0;
      for (float v : mask.data()) sum += v;
      return sum / mask.size();
    }
  }

  /**
   * @param datasetThreshold the threshold over the dataset, NaN with per-image thresholds
   * @param activations how many activations the dataset threshold was taken over, 0 per image
   * @param passes passes made over the dataset
   * @param masks best image first
   */
  public record Result(String layer, int channel, Options options, float datasetThreshold, long activations, int passes,
      List<UnitMask> masks) {}

  private NetworkDissection() {}

  /**
   * Masks of one unit (a channel of a layer) on the images where it peaks highest.
   *
   * @param preprocessing the model's normalization; the dataset's pixels are in [0,1]
   * @throws org.convscope.engine.InvalidInputException for an unknown layer, one without spatial extent, or a
   *     channel out of range
   * @throws IllegalArgumentException for an empty dataset
   * @throws java.util.concurrent.CancellationException when {@code cancelled} turns true between batches
   */
  public static Result masks(Model model, Preprocessing preprocessing, Dataset data, String layer, int channel,
      Options options, PassListener listener, BooleanSupplier cancelled) {
    return masks(model, preprocessing, data, layer, new int[] {channel}, options, listener, cancelled).get(0);
  }

  /**
   * Masks of several units of one layer, sharing the passes over the dataset: as many passes as for one unit.
   *
   * @return one result per channel, in the order asked
   * @see #masks(Model, Preprocessing, Dataset, String, int, Options, PassListener, BooleanSupplier)
   */
  public static List<Result> masks(Model model, Preprocessing preprocessing, Dataset data, String layer, int[] channels,
      Options options, PassListener listener, BooleanSupplier cancelled) {
    if (channels.length == 0) throw new IllegalArgumentException("no channels chosen");
    LayerCut cut = LayerCut.of(model, layer);
    InputSpace space = new InputSpace(preprocessing);
    DatasetPass.checkUsable(data, space);
    LayerCut.Geometry geometry = cut.geometry(new int[] {1, data.channels(), data.height(), data.width()});
    geometry.requireSpatial("masks");
    for (int c : channels) geometry.checkChannel(c);

    TopActivations top = new TopActivations(channels, options.top(), true);
    float[] thresholds = new float[channels.length];
    Arrays.fill(thresholds, Float.NaN);
    long[] activations = new long[channels.length];
    int passes = 1;
    if (options.scope() == Scope.DATASET) {
      // The first pass of the threshold search also finds the images to show.
      ChannelQuantiles.Result q = ChannelQuantiles.compute((pass, batches) -> DatasetPass.run(cut, data, space,
          options.batchSize(), "threshold, pass " + (pass + 1), (acts, batch) -> {
            batches.accept(acts);
            if (pass == 0) top.add(acts, batch.indices());
          }, listener, cancelled), channels, options.quantile());
      thresholds = q.thresholds();
      activations = q.counts();
      passes = q.passes();
    } else {
      DatasetPass.run(cut, data, space, options.batchSize(), "top images",
          (acts, batch) -> top.add(acts, batch.indices()), listener, cancelled);
    }

    List<Result> results = new ArrayList<>();
    for (int u = 0; u < channels.length; u++) {
      int channel = channels[u];
      List<TopActivations.Activation> best = top.top(u);
      int[] indices = best.stream().mapToInt(TopActivations.Activation::image).toArray();
      Batch batch = DatasetPass.load(data, indices);
      Tensor maps = cut.activations(space.toModel(batch.images()));
      int h = maps.dim(2);
      int w = maps.dim(3);
      List<UnitMask> masks = new ArrayList<>();
      for (int i = 0; i < indices.length; i++) {
        int from = (i * maps.dim(1) + channel) * h * w;
        Tensor map = Tensor.of(Arrays.copyOfRange(maps.data(), from, from + h * w), h, w);
        float t = options.scope() == Scope.DATASET ? thresholds[u] : imageThreshold(map, options.quantile());
        TopActivations.Activation a = best.get(i);
        masks.add(new UnitMask(indices[i], batch.labels()[i], a.value(), a.y(), a.x(), t, DatasetPass.image(batch.images(), i), map,
            mask(map, t, data.height(), data.width())));
      }
      results.add(new Result(layer, channel, options, thresholds[u], activations[u], passes, List.copyOf(masks)));
    }
    return List.copyOf(results);
  }

  /** The map [h,w] upsampled bilinearly (half-pixel centres) to height x width: 1 where it is above the threshold. */
  public static Tensor mask(Tensor map, float threshold, int height, int width) {
    float[] up = Bilinear.resize(map.data(), 1, map.dim(0), map.dim(1), height, width);
    float[] mask = new float[up.length];
    for (int i = 0; i < up.length; i++) mask[i] = up[i] > threshold ? 1 : 0;
    return Tensor.of(mask, height, width);
  }

  /** The quantile of one map's values, exact: the value of rank ceil(q n) among its n values that are not NaN. */
  public static float imageThreshold(Tensor map, double quantile) {
    float[] values = new float[map.size()];
    int n = 0;
    for (float v : map.data()) if (v == v) values[n++] = v;
    if (n == 0) return Float.NaN;
    Arrays.sort(values, 0, n);
    return values[(int) ChannelQuantiles.rank(quantile, n) - 1];
  }
}
