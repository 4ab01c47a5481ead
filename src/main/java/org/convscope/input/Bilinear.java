package org.convscope.input;

/**
 * Bilinear resizing of float planes, antialiased when shrinking, as PIL's {@code Image.resize(BILINEAR)} and
 * torchvision's {@code Resize(antialias=True)} do it.
 *
 * <p>Each output pixel is a weighted mean of the input pixels near its centre, with a triangle (tent) filter.
 * When enlarging, the filter is one input pixel wide on each side: plain bilinear interpolation between
 * pixel centres ({@code align_corners=False}), edges clamped. When shrinking by a factor s, the filter is
 * stretched to s input pixels on each side so that every input pixel contributes and fine detail averages out
 * instead of aliasing. The two axes are resized one after the other. The arithmetic is plain Java on float
 * arrays, so results are the same on every machine.
 */
public final class Bilinear {
  private Bilinear() {}

  /**
   * Resizes {@code planes} consecutive row-major planes of {@code height x width} values (for example the
   * channels of a CHW image) to {@code newHeight x newWidth}.
   */
  public static float[] resize(float[] src, int planes, int height, int width, int newHeight, int newWidth) {
    if (height < 1 || width < 1 || newHeight < 1 || newWidth < 1) {
      throw new IllegalArgumentException("cannot resize " + height + "x" + width + " to " + newHeight + "x" + newWidth);
    }
    if (src.length != planes * height * width) {
      throw new IllegalArgumentException(src.length + " values are not " + planes + " planes of " + height + "x" + width);
    }
    Taps across = Taps.of(width, newWidth);
    Taps down = Taps.of(height, newHeight);
    float[] rows = new float[planes * height * newWidth];
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < height; y++) {
        across.apply(src, (p * height + y) * width, 1, rows, (p * height + y) * newWidth, 1);
      }
    }
    float[] out = new float[planes * newHeight * newWidth];
    for (int p = 0; p < planes; p++) {
      for (int x = 0; x < newWidth; x++) {
        down.apply(rows, p * height * newWidth + x, newWidth, out, p * newHeight * newWidth + x, newWidth);
      }
    }
    return out;
  }

  /** For each output position along one axis: the first input position it reads and the normalized weights. */
  private record Taps(int[] first, double[][] weights) {
    static Taps of(int in, int out) {
      double scale = (double) in / out;
      double stretch = Math.max(scale, 1);
      int[] first = new int[out];
      double[][] weights = new double[out][];
      for (int i = 0; i < out; i++) {
        double centre = (i + 0.5) * scale;
        int from = Math.max(0, (int) Math.floor(centre - stretch + 0.5));
        int to = Math.min(in, (int) Math.floor(centre + stretch + 0.5));
        double[] w = new double[to - from];
        double sum = 0;
        for (int j = from; j < to; j++) {
          double distance = Math.abs(j + 0.5 - centre) / stretch;
          w[j - from] = Math.max(0, 1 - distance);
          sum += w[j - from];
        }
        for (int k = 0; k < w.length; k++) w[k] /= sum;
        first[i] = from;
        weights[i] = w;
      }
      return new Taps(first, weights);
    }

    /** Resamples one line: reads src[srcStart + j * srcStep], writes dst[dstStart + i * dstStep]. */
    void apply(float[] src, int srcStart, int srcStep, float[] dst, int dstStart, int dstStep) {
      for (int i = 0; i < first.length; i++) {
        double[] w = weights[i];
        int base = srcStart + first[i] * srcStep;
        double sum = 0;
        for (int k = 0; k < w.length; k++) sum += w[k] * src[base + k * srcStep];
        dst[dstStart + i * dstStep] = (float) sum;
      }
    }
  }
}
