package org.convscope.explain;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.convscope.engine.InvalidInputException;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/**
 * The deletion and insertion metrics of Petsiuk, Das and Saenko, "RISE: Randomized Input Sampling for
 * Explanation of Black-box Models", BMVC 2018, section 4.1. Pixels are ranked by the map (its
 * {@link Attribution#pixelMap pixel map}, most important first). Deletion removes them, most important first,
 * by setting them to a constant, and follows the target class's softmax probability down: a faithful map makes
 * it fall fast, so a low area under the curve is good. Insertion puts them back, most important first, into a
 * blurred copy of the image: a faithful map makes the probability rise fast, so a high area is good. Curves
 * have {@code steps + 1} points from 0 to all pixels; areas use the trapezoid rule over the fraction of pixels.
 * The modified images run in batches.
 */
public final class DeletionInsertion {

  /**
   * @param steps intervals of the curves
   * @param deletedValue the value deleted pixels take (0 is the dataset mean after the usual normalization)
   * @param blur the insertion canvas's Gaussian blur, its sigma as a fraction of the image's larger side
   * @param batchSize modified images per forward pass
   */
  public record Options(int steps, float deletedValue, double blur, int batchSize) {
    public Options {
      if (steps < 1) throw new InvalidInputException("deletion and insertion need at least 1 step, got " + steps);
      if (!Float.isFinite(deletedValue)) throw new InvalidInputException("deleted value must be finite, got " + deletedValue);
      if (!(blur >= 0 && blur < 1)) throw new InvalidInputException("blur must be a fraction in [0, 1), got " + blur);
      if (batchSize < 1) throw new InvalidInputException("deletion and insertion batch size must be at least 1, got " + batchSize);
    }

    public static Options defaults() {
      return new Options(32, 0f, 0.05, 16);
    }
  }

  /**
   * @param deletionAuc per item, lower is better
   * @param insertionAuc per item, higher is better
   * @param deletion per item, the probability after deleting each step's fraction of pixels
   * @param insertion per item, the probability after inserting each step's fraction of pixels
   */
  public record Result(double[] deletionAuc, double[] insertionAuc, double[][] deletion, double[][] insertion) {}

  private DeletionInsertion() {}

  public static Result evaluate(Query query, Attribution attribution, Options options) {
    Model model = query.model();
    Tensor batch = query.batch();
    int n = batch.dim(0);
    int channels = batch.dim(1);
    int height = batch.dim(2);
    int width = batch.dim(3);
    int plane = height * width;
    int item = channels * plane;
    int steps = options.steps();
    int points = steps + 1;
    float[] x = batch.data();
    float[] canvas = GaussianBlur.blur(x, n * channels, height, width, options.blur() * Math.max(height, width));
    int[] rank = ranks(attribution.pixelMap(height, width).data(), n, plane);
    int classes = query.logits().dim(1);
    double[][] deletion = new double[n][points];
    double[][] insertion = new double[n][points];
    // Variant v: item v / (2 * points); then deletion steps 0..steps, then insertion steps 0..steps.
    Perturbations.outputs(model, Perturbations.itemShape(batch), n * 2 * points, options.batchSize(),
        (variant, dst, offset) -> {
          int i = variant / (2 * points);
          int r = variant % (2 * points);
          boolean deleting = r < points;
          int changed = (int) Math.round((double) (r % points) * plane / steps);
          for (int c = 0; c < channels; c++) {
            int from = i * item + c * plane;
            for (int p = 0; p < plane; p++) {
              boolean top = rank[i * plane + p] < changed;
              dst[offset + c * plane + p] = deleting
                  ? (top ? options.deletedValue() : x[from + p])
                  : (top ? x[from + p] : canvas[from + p]);
            }
          }
        },
        (variant, out, offset) -> {
          int i = variant / (2 * points);
          int r = variant % (2 * points);
          double probability = Scores.probability(model, out, offset, classes, query.target(i));
          if (r < points) deletion[i][r] = probability;
          else insertion[i][r - points] = probability;
        }, Progress.NONE);
    double[] deletionAuc = new double[n];
    double[] insertionAuc = new double[n];
    for (int i = 0; i < n; i++) {
      deletionAuc[i] = area(deletion[i]);
      insertionAuc[i] = area(insertion[i]);
    }
    return new Result(deletionAuc, insertionAuc, deletion, insertion);
  }

  /** For each item, each pixel's place in the order of decreasing map value (ties in pixel order). */
  private static int[] ranks(float[] map, int n, int plane) {
    int[] rank = new int[n * plane];
    for (int i = 0; i < n; i++) {
      int base = i * plane;
      Integer[] order = IntStream.range(0, plane).boxed().toArray(Integer[]::new);
      Arrays.sort(order, Comparator.comparingDouble((Integer p) -> -map[base + p]));
      for (int place = 0; place < plane; place++) rank[base + order[place]] = place;
    }
    return rank;
  }

  /** The trapezoid-rule area under a curve sampled evenly over [0, 1]. */
  static double area(double[] curve) {
    double sum = 0;
    for (int t = 0; t + 1 < curve.length; t++) sum += (curve[t] + curve[t + 1]) / 2;
    return sum / (curve.length - 1);
  }
}
