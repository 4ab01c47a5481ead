package org.convscope.units;

import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.convscope.data.Dataset;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;

/**
 * How often each unit of a layer fires over a dataset: the fraction of images in which the unit's activation
 * exceeds a threshold somewhere in the image (for a ReLU layer, 0: the unit is on at all). Units that fire for
 * a small, consistent share of the images are the selective ones worth opening; units that fire everywhere or
 * never say less. The count over a whole dataset follows Zhou et al., "Object Detectors Emerge in Deep Scene
 * CNNs", ICLR 2015, who rank units by how their activations spread over images before looking at them.
 */
public final class FiringRates {
  /**
   * @param threshold an image counts for a unit when the unit's largest activation in it is above this
   * @param batchSize images per forward pass
   */
  public record Options(float threshold, int batchSize) {
    public Options {
      if (!Float.isFinite(threshold)) throw new IllegalArgumentException("threshold must be finite, got " + threshold);
      if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }

    public static Options defaults() {
      return new Options(0f, 64);
    }
  }

  /**
   * @param fired per channel, the number of images where it fired
   * @param meanPeak per channel, its largest activation in an image, averaged over the images
   * @param images how many images the pass saw
   */
  public record Result(String layer, long[] fired, double[] meanPeak, int images) {
    public int channels() {
      return fired.length;
    }

    /** The fraction of images in which channel {@code c} fired. */
    public double rate(int c) {
      return images == 0 ? 0 : fired[c] / (double) images;
    }

    /** Channel indices, the most often firing first; ties by mean peak, then by index. */
    public int[] ranked() {
      return IntStream.range(0, fired.length).boxed()
          .sorted(Comparator.comparingLong((Integer c) -> -fired[c])
              .thenComparingDouble(c -> -meanPeak[c]).thenComparingInt(c -> c))
          .mapToInt(Integer::intValue).toArray();
    }
  }

  private FiringRates() {}

  /**
   * One pass over the dataset, running the model only up to {@code layer}.
   *
   * @param preprocessing the model's normalization; the dataset's pixels are in [0,1]
   * @throws org.convscope.engine.InvalidInputException for an unknown layer or one without spatial extent
   * @throws java.util.concurrent.CancellationException when {@code cancelled} turns true between batches
   */
  public static Result compute(Model model, Preprocessing preprocessing, Dataset data, String layer, Options options,
      PassListener listener, BooleanSupplier cancelled) {
    LayerCut cut = LayerCut.of(model, layer);
    InputSpace space = new InputSpace(preprocessing);
    DatasetPass.checkUsable(data, space);
    LayerCut.Geometry geometry = cut.geometry(new int[] {1, data.channels(), data.height(), data.width()});
    geometry.requireSpatial("firing rates");
    int channels = geometry.channels();
    long[] fired = new long[channels];
    double[] peakSum = new double[channels];
    DatasetPass.run(cut, data, space, options.batchSize(), "firing rates", (acts, batch) -> {
      int plane = acts.dim(2) * acts.dim(3);
      float[] d = acts.data();
      for (int i = 0; i < acts.dim(0); i++) {
        for (int c = 0; c < channels; c++) {
          int base = (i * channels + c) * plane;
          float peak = Float.NEGATIVE_INFINITY;
          for (int p = 0; p < plane; p++) peak = Math.max(peak, d[base + p]);
          if (peak > options.threshold()) fired[c]++;
          peakSum[c] += peak;
        }
      }
    }, listener, cancelled);
    double[] meanPeak = new double[channels];
    for (int c = 0; c < channels; c++) meanPeak[c] = peakSum[c] / data.size();
    return new Result(layer, fired, meanPeak, data.size());
  }
}
