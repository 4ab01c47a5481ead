package org.convscope.explain;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.convscope.engine.InvalidInputException;
import org.convscope.input.Bilinear;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/**
 * RISE, randomized input sampling: Petsiuk, Das and Saenko, "RISE: Randomized Input Sampling for Explanation
 * of Black-box Models", BMVC 2018. Random smooth masks M_i multiply the image; each pixel's saliency is the
 * target class's softmax probability averaged over the masks, weighted by the mask's value there:
 * {@code S = sum_i P(x * M_i) M_i / (masks * p)}. A mask is a grid of cells, each kept with probability p,
 * upsampled bilinearly to (cells+1) cell sizes and cropped at a random shift. Where the score does not depend on
 * a pixel, its saliency tends to the mean score. Masks are made from the seed, so runs repeat exactly, and the
 * masked images run in batches.
 */
public final class Rise implements Explainer {
  public static final String NAME = "rise";

  /**
   * @param masks how many random masks (the paper used 4000 to 8000)
   * @param cells the grid's cells per side (the paper's s, 7 for ImageNet models)
   * @param keepProbability the chance that a cell is kept (the paper's p)
   * @param seed the masks' random seed
   * @param batchSize masked images per forward pass
   */
  public record Options(int masks, int cells, double keepProbability, long seed, int batchSize) {
    public Options {
      if (masks < 1) throw new InvalidInputException("RISE needs at least 1 mask, got " + masks);
      if (cells < 1) throw new InvalidInputException("RISE needs at least 1 cell per side, got " + cells);
      if (!(keepProbability > 0 && keepProbability <= 1)) {
        throw new InvalidInputException("RISE keep probability must be in (0, 1], got " + keepProbability);
      }
      if (batchSize < 1) throw new InvalidInputException("RISE batch size must be at least 1, got " + batchSize);
    }

    public static Options defaults() {
      return new Options(1000, 7, 0.5, 0, 16);
    }
  }

  private final Options options;

  public Rise(Options options) {
    this.options = options;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public MapKind kind() {
    return MapKind.PIXELS;
  }

  @Override
  public Attribution explain(Query query) {
    Model model = query.model();
    Tensor batch = query.batch();
    int n = batch.dim(0);
    int channels = batch.dim(1);
    int height = batch.dim(2);
    int width = batch.dim(3);
    int plane = height * width;
    float[] x = batch.data();
    int classes = query.logits().dim(1);
    double[] sum = new double[n * plane];
    Map<Integer, float[]> current = new HashMap<>(); // masks of the batch in flight, by index
    // Variant v is mask v / n on item v % n, so that each mask is made once and used for every item.
    Perturbations.outputs(model, Perturbations.itemShape(batch), n * options.masks(), options.batchSize(),
        (variant, dst, offset) -> {
          int item = variant % n;
          float[] mask = current.computeIfAbsent(variant / n, m -> mask(m, height, width));
          for (int c = 0; c < channels; c++) {
            int from = (item * channels + c) * plane;
            for (int p = 0; p < plane; p++) dst[offset + c * plane + p] = x[from + p] * mask[p];
          }
        },
        (variant, out, offset) -> {
          int item = variant % n;
          float[] mask = current.get(variant / n);
          double score = Scores.probability(model, out, offset, classes, query.target(item));
          for (int p = 0; p < plane; p++) sum[item * plane + p] += score * mask[p];
          if (item == n - 1) current.remove(variant / n);
        }, query.progress());
    float[] map = new float[n * plane];
    double scale = 1.0 / (options.masks() * options.keepProbability());
    for (int i = 0; i < map.length; i++) map[i] = (float) (sum[i] * scale);
    return new Attribution(NAME, kind(), Tensor.of(map, n, height, width));
  }

  /** Mask number {@code m}, from its own random stream so any mask can be made alone. */
  float[] mask(int m, int height, int width) {
    SplittableRandom random = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + m);
    int s = options.cells();
    float[] grid = new float[s * s];
    for (int i = 0; i < grid.length; i++) grid[i] = random.nextDouble() < options.keepProbability() ? 1f : 0f;
    int cellH = (height + s - 1) / s;
    int cellW = (width + s - 1) / s;
    int upH = (s + 1) * cellH;
    int upW = (s + 1) * cellW;
    float[] up = Bilinear.resize(grid, 1, s, s, upH, upW);
    int dy = random.nextInt(cellH);
    int dx = random.nextInt(cellW);
    float[] mask = new float[height * width];
    for (int y = 0; y < height; y++) System.arraycopy(up, (y + dy) * upW + dx, mask, y * width, width);
    return mask;
  }
}
