package org.convscope.explain;

/** A separable Gaussian blur of stacked planes, clamping at the borders; the insertion metric's canvas. */
final class GaussianBlur {
  private GaussianBlur() {}

  /** Blurs each of {@code planes} planes of height x width; sigma in pixels, 0 for a copy. */
  static float[] blur(float[] src, int planes, int height, int width, double sigma) {
    if (sigma <= 0) return src.clone();
    int radius = (int) Math.ceil(3 * sigma);
    float[] kernel = new float[2 * radius + 1];
    double total = 0;
    for (int i = -radius; i <= radius; i++) total += Math.exp(-i * i / (2 * sigma * sigma));
    for (int i = -radius; i <= radius; i++) kernel[i + radius] = (float) (Math.exp(-i * i / (2 * sigma * sigma)) / total);
    float[] rows = new float[src.length];
    float[] out = new float[src.length];
    for (int p = 0; p < planes; p++) {
      int base = p * height * width;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          float s = 0;
          for (int k = -radius; k <= radius; k++) {
            s += kernel[k + radius] * src[base + y * width + Math.min(width - 1, Math.max(0, x + k))];
          }
          rows[base + y * width + x] = s;
        }
      }
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          float s = 0;
          for (int k = -radius; k <= radius; k++) {
            s += kernel[k + radius] * rows[base + Math.min(height - 1, Math.max(0, y + k)) * width + x];
          }
          out[base + y * width + x] = s;
        }
      }
    }
    return out;
  }
}
