package org.convscope.explain;

/** Bilinear resizing of stacked planes, as CAM methods use to bring a layer's maps to the input's size. */
final class Upsampling {
  private Upsampling() {}

  /**
   * Resizes {@code planes} planes of h x w to newH x newW with half-pixel centres (PyTorch's
   * {@code align_corners=False}), clamping at the borders. No antialiasing: it is meant for enlarging.
   */
  static float[] bilinear(float[] src, int planes, int h, int w, int newH, int newW) {
    float[] dst = new float[planes * newH * newW];
    int[] y0 = new int[newH];
    int[] y1 = new int[newH];
    float[] fy = new float[newH];
    axis(h, newH, y0, y1, fy);
    int[] x0 = new int[newW];
    int[] x1 = new int[newW];
    float[] fx = new float[newW];
    axis(w, newW, x0, x1, fx);
    for (int p = 0; p < planes; p++) {
      int s = p * h * w;
      int d = p * newH * newW;
      for (int y = 0; y < newH; y++) {
        int r0 = s + y0[y] * w;
        int r1 = s + y1[y] * w;
        for (int x = 0; x < newW; x++) {
          float top = src[r0 + x0[x]] + fx[x] * (src[r0 + x1[x]] - src[r0 + x0[x]]);
          float bottom = src[r1 + x0[x]] + fx[x] * (src[r1 + x1[x]] - src[r1 + x0[x]]);
          dst[d + y * newW + x] = top + fy[y] * (bottom - top);
        }
      }
    }
    return dst;
  }

  /** For each output coordinate, the two source coordinates it lies between and its fraction of the way. */
  private static void axis(int size, int newSize, int[] lo, int[] hi, float[] frac) {
    double scale = (double) size / newSize;
    for (int i = 0; i < newSize; i++) {
      double src = Math.max(0, (i + 0.5) * scale - 0.5);
      int a = Math.min((int) src, size - 1);
      lo[i] = a;
      hi[i] = Math.min(a + 1, size - 1);
      frac[i] = (float) (src - a);
    }
  }
}
