package org.convscope.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convscope.engine.InvalidInputException;
import org.convscope.tensor.Tensor;

/**
 * Occlusion: Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014, section 4.2.
 * A square window of a constant value slides over the image (all channels at once); each pixel gets the mean
 * drop of the target score {@code f(x) - f(x occluded)} over the windows that cover it. The windows' last row
 * and column are moved to touch the far edges, so every pixel is covered. Occluded images run in batches.
 */
public final class Occlusion implements Explainer {
  public static final String NAME = "occlusion";

  /**
   * @param window the window's side in pixels; larger than the image means the whole side
   * @param stride the step between windows in pixels
   * @param baseline the value occluded pixels take (0 is the dataset mean after the usual normalization)
   * @param batchSize occluded images per forward pass
   */
  public record Options(int window, int stride, float baseline, int batchSize) {
    public Options {
      if (window < 1) throw new InvalidInputException("occlusion window must be at least 1 pixel, got " + window);
      if (stride < 1) throw new InvalidInputException("occlusion stride must be at least 1 pixel, got " + stride);
      if (!Float.isFinite(baseline)) throw new InvalidInputException("occlusion baseline must be finite, got " + baseline);
      if (batchSize < 1) throw new InvalidInputException("occlusion batch size must be at least 1, got " + batchSize);
    }

    public static Options defaults() {
      return new Options(32, 16, 0f, 16);
    }
  }

  private final Options options;

  public Occlusion(Options options) {
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
  public boolean usesLayer() {
    return false;
  }

  @Override
  public Attribution explain(Query query) {
    Tensor batch = query.batch();
    int n = batch.dim(0);
    int channels = batch.dim(1);
    int height = batch.dim(2);
    int width = batch.dim(3);
    int plane = height * width;
    int wy = Math.min(options.window(), height);
    int wx = Math.min(options.window(), width);
    int[] ys = starts(height, wy, options.stride());
    int[] xs = starts(width, wx, options.stride());
    int windows = ys.length * xs.length;
    float[] x = batch.data();
    float[] clean = query.targetScores();
    double[] sum = new double[n * plane];
    int[] count = new int[plane];
    for (int y0 : ys) {
      for (int x0 : xs) {
        for (int y = y0; y < y0 + wy; y++) for (int xx = x0; xx < x0 + wx; xx++) count[y * width + xx]++;
      }
    }
    Perturbations.outputs(query.model(), Perturbations.itemShape(batch), n * windows, options.batchSize(),
        (variant, dst, offset) -> {
          int item = variant / windows;
          int y0 = ys[(variant % windows) / xs.length];
          int x0 = xs[variant % xs.length];
          System.arraycopy(x, item * channels * plane, dst, offset, channels * plane);
          for (int c = 0; c < channels; c++) {
            for (int y = y0; y < y0 + wy; y++) {
              int row = offset + c * plane + y * width;
              Arrays.fill(dst, row + x0, row + x0 + wx, options.baseline());
            }
          }
        },
        (variant, out, offset) -> {
          int item = variant / windows;
          int y0 = ys[(variant % windows) / xs.length];
          int x0 = xs[variant % xs.length];
          double drop = clean[item] - out[offset + query.target(item)];
          for (int y = y0; y < y0 + wy; y++) {
            for (int xx = x0; xx < x0 + wx; xx++) sum[item * plane + y * width + xx] += drop;
          }
        });
    float[] map = new float[n * plane];
    for (int i = 0; i < map.length; i++) map[i] = (float) (sum[i] / count[i % plane]);
    return new Attribution(NAME, kind(), Tensor.of(map, n, height, width));
  }

  /** Window starts along one axis: every stride, plus one touching the far edge if the last falls short. */
  static int[] starts(int size, int window, int stride) {
    List<Integer> starts = new ArrayList<>();
    for (int s = 0; s + window <= size; s += stride) starts.add(s);
    if (starts.get(starts.size() - 1) + window < size) starts.add(size - window);
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }
}
