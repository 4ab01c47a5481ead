package org.convscope.units;

import org.convscope.tensor.Tensor;

/**
 * The decorrelated image parameterization of Lucid (Olah et al., "Feature Visualization", Distill 2017), as the
 * step it amounts to. Lucid optimizes an image's Fourier coefficients, each scaled by one over its frequency:
 * with image I = T(S c), a gradient step of size lr on the coefficients c moves the image by lr T S² T g, where
 * g is the image's gradient and T the orthonormal transform (its own inverse and transpose). Low frequencies
 * move far more than high ones, so the image does not fill with the fine patterns that plain gradient ascent
 * finds first.
 *
 * <p>This class takes that move on the image directly, which is the same step and keeps jitter, blurring and
 * clipping plain image operations. T is the real, separable Hartley transform rather than the complex Fourier
 * one: each of its basis images holds the frequencies (±v, ±u), which share one magnitude, so scaling by
 * frequency means the same; and it needs no complex arithmetic. The scale is {@code 1 / max(f, 1 / max(H, W))}
 * for the frequency f in cycles per pixel, with S² normalized to mean 1 so that a step keeps about the size of
 * a plain one.
 */
final class SpectralPreconditioner {
  private final int height;
  private final int width;
  private final double[] rows;
  private final double[] columns;
  /** S² per coefficient, row-major. */
  private final double[] gain;

  SpectralPreconditioner(int height, int width) {
    this.height = height;
    this.width = width;
    rows = hartleyMatrix(width);
    columns = hartleyMatrix(height);
    gain = new double[height * width];
    double floor = 1.0 / Math.max(height, width);
    double sum = 0;
    for (int v = 0; v < height; v++) {
      double fy = Math.min(v, height - v) / (double) height;
      for (int u = 0; u < width; u++) {
        double fx = Math.min(u, width - u) / (double) width;
        double scale = 1 / Math.max(Math.hypot(fy, fx), floor);
        sum += gain[v * width + u] = scale * scale;
      }
    }
    double mean = sum / gain.length;
    for (int i = 0; i < gain.length; i++) gain[i] /= mean;
  }

  /** T S² T applied to every plane of {@code direction} [1,C,H,W]; a new tensor. */
  Tensor apply(Tensor direction) {
    int plane = height * width;
    float[] in = direction.data();
    float[] out = new float[in.length];
    double[] values = new double[plane];
    for (int p = 0; p < in.length / plane; p++) {
      for (int i = 0; i < plane; i++) values[i] = in[p * plane + i];
      values = transform(values);
      for (int i = 0; i < plane; i++) values[i] *= gain[i];
      values = transform(values);
      for (int i = 0; i < plane; i++) out[p * plane + i] = (float) values[i];
    }
    return Tensor.of(out, direction.shape());
  }

  /** The separable, orthonormal 2-D Hartley transform of one row-major plane: its own inverse. */
  double[] transform(double[] plane) {
    double[] across = new double[plane.length];
    for (int y = 0; y < height; y++) {
      for (int u = 0; u < width; u++) {
        double s = 0;
        for (int x = 0; x < width; x++) s += rows[u * width + x] * plane[y * width + x];
        across[y * width + u] = s;
      }
    }
    double[] out = new double[plane.length];
    for (int v = 0; v < height; v++) {
      for (int u = 0; u < width; u++) {
        double s = 0;
        for (int y = 0; y < height; y++) s += columns[v * height + y] * across[y * width + u];
        out[v * width + u] = s;
      }
    }
    return out;
  }

  /** cas(2 pi k n / N) / sqrt(N), with cas = cos + sin: symmetric and orthonormal, so it is its own inverse. */
  private static double[] hartleyMatrix(int n) {
    double[] m = new double[n * n];
    double norm = 1 / Math.sqrt(n);
    for (int k = 0; k < n; k++) {
      for (int j = 0; j < n; j++) {
        double angle = 2 * Math.PI * ((long) k * j % n) / n;
        m[k * n + j] = (Math.cos(angle) + Math.sin(angle)) * norm;
      }
    }
    return m;
  }
}
