package org.convscope.units;

import org.convscope.tensor.Tensor;

/** Image operations for gradient ascent, on model inputs [1,C,H,W]: shifts, blur and the penalties. */
final class ImageMath {
  private ImageMath() {}

  /** The image shifted by (dy, dx) pixels with wrap-around, so nothing is lost (jitter, and shifting its gradient back). */
  static Tensor roll(Tensor image, int dy, int dx) {
    if (dy == 0 && dx == 0) return image;
    int planes = image.dim(0) * image.dim(1);
    int height = image.dim(2);
    int width = image.dim(3);
    float[] src = image.data();
    float[] out = new float[src.length];
    for (int p = 0; p < planes; p++) {
      int base = p * height * width;
      for (int y = 0; y < height; y++) {
        int ty = Math.floorMod(y + dy, height);
        for (int x = 0; x < width; x++) out[base + ty * width + Math.floorMod(x + dx, width)] = src[base + y * width + x];
      }
    }
    return Tensor.of(out, image.shape());
  }

  /**
   * Blurs every plane in place with a Gaussian of standard deviation {@code sigma} pixels, truncated at three
   * sigma and renormalized, edges repeated: it removes the high frequencies that gradient ascent amplifies
   * (Yosinski et al., 2015).
   */
  static void gaussianBlur(Tensor image, double sigma) {
    int radius = (int) Math.ceil(3 * sigma);
    if (radius == 0) return;
    double[] kernel = new double[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-i * i / (2 * sigma * sigma));
    for (int i = 0; i < kernel.length; i++) kernel[i] /= sum;
    int planes = image.dim(0) * image.dim(1);
    int height = image.dim(2);
    int width = image.dim(3);
    float[] d = image.data();
    float[] line = new float[Math.max(height, width)];
    for (int p = 0; p < planes; p++) {
      int base = p * height * width;
      for (int y = 0; y < height; y++) blurLine(d, base + y * width, 1, width, kernel, line);
      for (int x = 0; x < width; x++) blurLine(d, base + x, width, height, kernel, line);
    }
  }

  private static void blurLine(float[] d, int start, int step, int n, double[] kernel, float[] line) {
    int radius = kernel.length / 2;
    for (int i = 0; i < n; i++) line[i] = d[start + i * step];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * line[Math.max(0, Math.min(n - 1, i + k))];
      d[start + i * step] = (float) s;
    }
  }

  /** The sum of squares of the image's values. */
  static double squaredNorm(Tensor image) {
    double s = 0;
    for (float v : image.data()) s += (double) v * v;
    return s;
  }

  /**
   * The squared total variation (Mahendran and Vedaldi, "Understanding Deep Image Representations by Inverting
   * Them", CVPR 2015, with beta = 2): the sum over neighbouring pixel pairs, across and down, of their squared
   * difference. Adds {@code weight} times its gradient to {@code gradient} when that is not null.
   */
  static double totalVariation(Tensor image, double weight, float[] gradient) {
    int planes = image.dim(0) * image.dim(1);
    int height = image.dim(2);
    int width = image.dim(3);
    float[] d = image.data();
    double total = 0;
    for (int p = 0; p < planes; p++) {
      int base = p * height * width;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int i = base + y * width + x;
          if (x + 1 < width) total += pair(d, i, i + 1, weight, gradient);
          if (y + 1 < height) total += pair(d, i, i + width, weight, gradient);
        }
      }
    }
    return total;
  }

  private static double pair(float[] d, int a, int b, double weight, float[] gradient) {
    double diff = d[b] - d[a];
    if (gradient != null) {
      gradient[b] += (float) (2 * weight * diff);
      gradient[a] -= (float) (2 * weight * diff);
    }
    return diff * diff;
  }

  /**
   * One ascent step in place: {@code image += lr * direction}, or with {@code normalized} the direction divided
   * by its mean absolute value first, so that lr is the average change of a value whatever the objective's scale.
   */
  static void step(Tensor image, Tensor direction, double lr, boolean normalized) {
    float[] d = image.data();
    float[] m = direction.data();
    double scale = lr;
    if (normalized) {
      double sum = 0;
      for (float v : m) sum += Math.abs(v);
      if (sum > 0) scale *= m.length / sum;
    }
    for (int i = 0; i < d.length; i++) d[i] += (float) (scale * m[i]);
  }

  /** How many values are NaN or infinite. */
  static int nonFinite(Tensor t) {
    int n = 0;
    for (float v : t.data()) if (!Float.isFinite(v)) n++;
    return n;
  }
}
