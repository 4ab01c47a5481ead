package org.convscope.embed;

import java.util.stream.IntStream;

/**
 * The discrete Fourier transform of a square complex grid whose side is a power of two: the iterative radix-2
 * Cooley-Tukey algorithm (Cooley and Tukey, Math. Comp. 1965) along rows, then along columns. Grids are
 * row-major, real and imaginary parts in separate arrays. Rows (and groups of columns) run in parallel, each
 * transform on its own data, so results do not depend on the number of cores.
 */
final class Fft {
  /** Columns copied out together, so that each cache line of the grid is read once per group. */
  private static final int COLUMN_GROUP = 8;

  private final int size;
  private final int[] bitReversed;
  private final double[] cos;
  private final double[] sin;

  Fft(int size) {
    if (size < 2 || Integer.bitCount(size) != 1) throw new IllegalArgumentException("FFT size must be a power of two, not " + size);
    this.size = size;
    int bits = Integer.numberOfTrailingZeros(size);
    bitReversed = new int[size];
    for (int i = 0; i < size; i++) bitReversed[i] = Integer.reverse(i) >>> (32 - bits);
    cos = new double[size / 2];
    sin = new double[size / 2];
    for (int i = 0; i < size / 2; i++) {
      cos[i] = Math.cos(2 * Math.PI * i / size);
      sin[i] = Math.sin(2 * Math.PI * i / size);
    }
  }

  int size() {
    return size;
  }

  /**
   * The forward transform (exponent -2 pi i jk/m) of a grid whose rows from {@code nonzeroRows} on are zero:
   * those rows stay zero through the row pass, so it skips them.
   */
  void forward(double[] re, double[] im, int nonzeroRows) {
    rows(re, im, 0, nonzeroRows, false);
    columns(re, im, size, false);
  }

  /**
   * The inverse transform without the 1/m^2 factor, computed only as far as the first {@code neededColumns}
   * columns of the result are concerned: the others are left partly transformed.
   */
  void inverseUnscaled(double[] re, double[] im, int neededColumns) {
    rows(re, im, 0, size, true);
    columns(re, im, neededColumns, true);
  }

  private void rows(double[] re, double[] im, int from, int to, boolean inverse) {
    IntStream.range(from, to).parallel().forEach(r -> transform(re, im, r * size, inverse));
  }

  private void columns(double[] re, double[] im, int count, boolean inverse) {
    int groups = (count + COLUMN_GROUP - 1) / COLUMN_GROUP;
    IntStream.range(0, groups).parallel().forEach(g -> {
      int c0 = g * COLUMN_GROUP;
      int width = Math.min(COLUMN_GROUP, count - c0);
      double[] bufRe = new double[width * size];
      double[] bufIm = new double[width * size];
      for (int r = 0; r < size; r++) {
        for (int c = 0; c < width; c++) {
          bufRe[c * size + r] = re[r * size + c0 + c];
          bufIm[c * size + r] = im[r * size + c0 + c];
        }
      }
      for (int c = 0; c < width; c++) transform(bufRe, bufIm, c * size, inverse);
      for (int r = 0; r < size; r++) {
        for (int c = 0; c < width; c++) {
          re[r * size + c0 + c] = bufRe[c * size + r];
          im[r * size + c0 + c] = bufIm[c * size + r];
        }
      }
    });
  }

  /** One transform of {@code size} contiguous values from {@code offset}, in place. */
  void transform(double[] re, double[] im, int offset, boolean inverse) {
    for (int i = 0; i < size; i++) {
      int j = bitReversed[i];
      if (j > i) {
        double t = re[offset + i];
        re[offset + i] = re[offset + j];
        re[offset + j] = t;
        t = im[offset + i];
        im[offset + i] = im[offset + j];
        im[offset + j] = t;
      }
    }
    double sign = inverse ? 1 : -1;
    for (int half = 1; half < size; half <<= 1) {
      int stride = size / (2 * half);
      for (int start = 0; start < size; start += 2 * half) {
        for (int j = 0; j < half; j++) {
          double wr = cos[j * stride];
          double wi = sign * sin[j * stride];
          int a = offset + start + j;
          int b = a + half;
          double xr = re[b] * wr - im[b] * wi;
          double xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}
