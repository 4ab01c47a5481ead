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
 * and column are moved to touch the far edges, so every pixel is covered. Occluded images run in batches. By
 * default the window scales with the input ({@link Options#window(int, int)}): 4 pixels with stride 2 at 28x28,
 * 16 with stride 8 at 224x224.
 */
public final class Occlusion implements Explainer {
  public static final String NAME = "occlusion";

  /**
   * @param window the window's side in pixels, or {@link #AUTO} to scale it with the input ({@link #window(int, int)});
   *     larger than the image means the whole side
   * @param stride the step between windows in pixels, or {@link #AUTO} for half the window
   * @param baseline the value occluded pixels take (0 is the dataset mean after the usual normalization)
   * @param batchSize occluded images per forward pass
   */
  public record Options(int window, int stride, float baseline, int batchSize) {
    /** A window or stride chosen from the input's size. */
    public static final int AUTO = 0;
    /** The automatic window's largest side: 16 at 224x224, as in the benchmarks and common practice. */
    static final int MAX_AUTO_WINDOW = 16;

    public Options {
      if (window < 0) throw new InvalidInputException("occlusion window must be at least 1 pixel (or 0: automatic), got " + window);
      if (stride < 0) throw new InvalidInputException("occlusion stride must be at least 1 pixel (or 0: automatic), got " + stride);
      if (!Float.isFinite(baseline)) throw new InvalidInputException("occlusion baseline must be finite, got " + baseline);
      if (batchSize < 1) throw new InvalidInputException("occlusion batch size must be at least 1, got " + batchSize);
    }

    /** Window and stride scaled with the input, baseline 0, 16 images per batch. */
    public static Options defaults() {
      return new Options(AUTO, AUTO, 0f, 16);
    }

    /**
     * The window's side for an input of this size: as given, or automatically an eighth of the shorter side,
     * rounded, between 1 and {@value #MAX_AUTO_WINDOW} pixels. A fixed window suits one input size only: the
     * 32 pixels that work at 224x224 would cover Fashion-MNIST's 28x28 images whole. Automatic windows are 4
     * pixels at 28x28, 8 at 64x64 and 16 from 128x128 up, so that a window covers about a sixty-fourth of a
     * small image and the 224x224 setting stays the usual 16 with stride 8 (27x27 windows).
     */
    public int window(int height, int width) {
      if (window != AUTO) return window;
      return Math.max(1, Math.min(MAX_AUTO_WINDOW, (int) Math.round(Math.min(height, width) / 8.0)));
    }

    /** The stride for an input of this size: as given, or half the window, at least 1 pixel. */
    public int stride(int height, int width) {
      return stride != AUTO ? stride : Math.max(1, window(height, width) / 2);
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
  public Attribution explain(Query query) {
    Tensor batch = query.batch();
    int n = batch.dim(0);
    int channels = batch.dim(1);
    int height = batch.dim(2);
    int width = batch.dim(3);
    int plane = height * width;
    int window = options.window(height, width);
    int stride = options.stride(height, width);
    int wy = Math.min(window, height);
    int wx = Math.min(window, width);
    int[] ys = starts(height, wy, stride);
    int[] xs = starts(width, wx, stride);
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
        }, query.progress());
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
