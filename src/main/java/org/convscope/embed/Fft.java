package org.convscope.embed;

import java.util.stream.IntStream;

/**
 * The discrete Fourier transform of a square complex grid in single precision, whose side m is a product of 2s
 * and 3s ({@link #fastSizeAtLeast}), so that a grid need not double to the next power of two. The 2-D transform is
 * one along rows, then one along columns.
 *
 * <p>Each pass works on strips of {@value #LANES} rows (or columns) copied into a scratch buffer where the strip's
 * sequences lie side by side: element t of sequence c at [t][c]. The transform is then Stockham's
 * self-sorting mixed-radix algorithm (radix 4, 2 and 3; Van Loan, "Computational Frameworks for the Fast Fourier
 * Transform", SIAM 1992, section 1.7) applied to whole vectors of lanes at once: every butterfly's innermost loop
 * runs over contiguous floats with one twiddle factor, which the JIT turns into SIMD instructions, and no pass
 * needs a bit-reversal. Strips run in parallel, each on its own data, so results do not depend on the number of
 * cores.
 */
final class Fft {
  /** Sequences transformed side by side: wide enough for the vector loops to pay off, narrow enough for a strip's buffers (4 x m x 128 floats) to stay in cache. */
  private static final int LANES = 128;
  private static final float HALF_SQRT3 = (float) (Math.sqrt(3) / 2);

  private final int size;
  private final int[] radices;
  /** Per stage of sub-length n and radix r: cos and sin of 2 pi p j / n for p < n / r, 1 <= j < r. */
  private final float[][] cos;
  private final float[][] sin;
  /** Per thread: real and imaginary parts, twice (for ping-pong), each size rows of LANES floats. */
  private final ThreadLocal<float[][][]> scratch;

  Fft(int size) {
    if (size < 2 || !isFastSize(size)) throw new IllegalArgumentException("FFT size must be 2^a 3^b and at least 2, not " + size);
    this.size = size;
    int twos = Integer.numberOfTrailingZeros(size);
    int threes = 0;
    for (int m = size >> twos; m > 1; m /= 3) threes++;
    radices = new int[twos / 2 + twos % 2 + threes];
    int stage = 0;
    for (int i = 0; i < twos / 2; i++) radices[stage++] = 4;
    if (twos % 2 == 1) radices[stage++] = 2;
    for (int i = 0; i < threes; i++) radices[stage++] = 3;
    cos = new float[radices.length][];
    sin = new float[radices.length][];
    int n = size;
    for (stage = 0; stage < radices.length; stage++) {
      int r = radices[stage];
      int m = n / r;
      cos[stage] = new float[m * (r - 1)];
      sin[stage] = new float[m * (r - 1)];
      for (int p = 0; p < m; p++) {
        for (int j = 1; j < r; j++) {
          double angle = 2 * Math.PI * ((long) p * j % n) / n;
          cos[stage][p * (r - 1) + j - 1] = (float) Math.cos(angle);
          sin[stage][p * (r - 1) + j - 1] = (float) Math.sin(angle);
        }
      }
      n = m;
    }
    scratch = ThreadLocal.withInitial(() -> new float[4][size][LANES]);
  }

  /** Whether m has no prime factor but 2 and 3. */
  static boolean isFastSize(int m) {
    if (m < 1) return false;
    while (m % 2 == 0) m /= 2;
    while (m % 3 == 0) m /= 3;
    return m == 1;
  }

  /** The smallest size of the form 2^a 3^b (at least 2) not below m. */
  static int fastSizeAtLeast(int m) {
    int s = Math.max(2, m);
    while (!isFastSize(s)) s++;
    return s;
  }

  int size() {
    return size;
  }

  /**
   * The forward transform (exponent -2 pi i jk/m) of a grid whose rows from {@code nonzeroRows} on are zero:
   * those rows stay zero through the row pass, so it skips them.
   */
  void forward(float[] re, float[] im, int nonzeroRows) {
    rows(re, im, nonzeroRows, false);
    columns(re, im, false);
  }

  /**
   * The inverse transform without the 1/m^2 factor, computed only as far as the first {@code neededRows} rows of
   * the result are concerned: the others are left partly transformed.
   */
  void inverseUnscaled(float[] re, float[] im, int neededRows) {
    columns(re, im, true);
    rows(re, im, neededRows, true);
  }

  /** Transforms the first {@code count} rows, a strip of rows at a time, transposed into the scratch buffer. */
  private void rows(float[] re, float[] im, int count, boolean inverse) {
    IntStream.range(0, (count + LANES - 1) / LANES).parallel().forEach(strip -> {
      int r0 = strip * LANES;
      int lanes = Math.min(LANES, count - r0);
      float[][][] buffer = scratch.get();
      float[][] bufRe = buffer[0];
      float[][] bufIm = buffer[1];
      for (int c = 0; c < lanes; c++) {
        int row = (r0 + c) * size;
        for (int t = 0; t < size; t++) {
          bufRe[t][c] = re[row + t];
          bufIm[t][c] = im[row + t];
        }
      }
      int result = transform(buffer, lanes, inverse);
      float[][] outRe = buffer[result];
      float[][] outIm = buffer[result + 1];
      for (int c = 0; c < lanes; c++) {
        int row = (r0 + c) * size;
        for (int t = 0; t < size; t++) {
          re[row + t] = outRe[t][c];
          im[row + t] = outIm[t][c];
        }
      }
    });
  }

  /** Transforms every column, a strip of adjacent columns at a time. */
  private void columns(float[] re, float[] im, boolean inverse) {
    IntStream.range(0, (size + LANES - 1) / LANES).parallel().forEach(strip -> {
      int c0 = strip * LANES;
      int lanes = Math.min(LANES, size - c0);
      float[][][] buffer = scratch.get();
      for (int t = 0; t < size; t++) {
        System.arraycopy(re, t * size + c0, buffer[0][t], 0, lanes);
        System.arraycopy(im, t * size + c0, buffer[1][t], 0, lanes);
      }
      int result = transform(buffer, lanes, inverse);
      for (int t = 0; t < size; t++) {
        System.arraycopy(buffer[result][t], 0, re, t * size + c0, lanes);
        System.arraycopy(buffer[result + 1][t], 0, im, t * size + c0, lanes);
      }
    });
  }

  /**
   * Transforms the {@code lanes} sequences in buffer[0] (real) and buffer[1] (imaginary), ping-ponging with
   * buffer[2] and buffer[3]; returns 0 or 2, where the result is. At a stage of sub-length n = r m and stride s,
   * the input element q + s (p + k m) goes into an r-point DFT whose output j, times the twiddle exp(-+2 pi i p j
   * / n), is element q + s (r p + j). Each element is a row of lanes, and the innermost loops index every row
   * by the lane alone: the JIT (C2 in Java 17) vectorizes a loop only when all its array indices are the same.
   */
  private int transform(float[][][] buffer, int lanes, boolean inverse) {
    float sign = inverse ? 1 : -1;
    int from = 0;
    int n = size;
    int stride = 1;
    for (int stage = 0; stage < radices.length; stage++) {
      int r = radices[stage];
      int m = n / r;
      int to = 2 - from;
      float[][] xr = buffer[from];
      float[][] xi = buffer[from + 1];
      float[][] yr = buffer[to];
      float[][] yi = buffer[to + 1];
      for (int p = 0; p < m; p++) {
        for (int q = 0; q < stride; q++) {
          int in = q + stride * p;
          int out = q + stride * r * p;
          int step = stride * m;
          switch (r) {
            case 4 -> radix4(xr, xi, in, step, yr, yi, out, stride, p, lanes, cos[stage], sin[stage], sign);
            case 2 -> radix2(xr, xi, in, step, yr, yi, out, stride, p, lanes, cos[stage], sin[stage], sign);
            default -> radix3(xr, xi, in, step, yr, yi, out, stride, p, lanes, cos[stage], sin[stage], sign);
          }
        }
      }
      from = to;
      n = m;
      stride *= r;
    }
    return from;
  }

  /*
   * The butterflies below write each output row in a loop of its own, as one expression of loads whose outermost
   * operation is a subtraction (a sum of two products is written as a difference with a negated factor): that
   * is the form C2 in Java 17 vectorizes; a value shared between two stores, or a sum of two products, keeps the
   * loop scalar and about four times slower.
   */

  /** Inputs at rows in + k step, outputs at rows out + j stride, twiddles of p. */
  private static void radix2(float[][] xr, float[][] xi, int in, int step, float[][] yr, float[][] yi, int out,
      int stride, int p, int lanes, float[] tc, float[] ts, float sign) {
    float wr = tc[p];
    float wi = sign * ts[p];
    float nwr = -wr;
    float[] x0r = xr[in];
    float[] x0i = xi[in];
    float[] x1r = xr[in + step];
    float[] x1i = xi[in + step];
    float[] y0r = yr[out];
    float[] y0i = yi[out];
    float[] y1r = yr[out + stride];
    float[] y1i = yi[out + stride];
    for (int u = 0; u < lanes; u++) y0r[u] = x0r[u] + x1r[u];
    for (int u = 0; u < lanes; u++) y0i[u] = x0i[u] + x1i[u];
    for (int u = 0; u < lanes; u++) y1r[u] = (x0r[u] - x1r[u]) * wr - (x0i[u] - x1i[u]) * wi;
    for (int u = 0; u < lanes; u++) y1i[u] = (x0r[u] - x1r[u]) * wi - (x0i[u] - x1i[u]) * nwr;
  }

  private static void radix3(float[][] xr, float[][] xi, int in, int step, float[][] yr, float[][] yi, int out,
      int stride, int p, int lanes, float[] tc, float[] ts, float sign) {
    // With w = exp(-+2 pi i / 3): c1,2 = x0 - (x1 + x2) / 2 -+ i (sqrt 3 / 2) (x1 - x2), then times the twiddles.
    float h = sign * HALF_SQRT3;
    float nh = -h;
    float w1r = tc[2 * p];
    float w1i = sign * ts[2 * p];
    float nw1r = -w1r;
    float w2r = tc[2 * p + 1];
    float w2i = sign * ts[2 * p + 1];
    float nw2r = -w2r;
    float[] x0r = xr[in];
    float[] x0i = xi[in];
    float[] x1r = xr[in + step];
    float[] x1i = xi[in + step];
    float[] x2r = xr[in + 2 * step];
    float[] x2i = xi[in + 2 * step];
    float[] y0r = yr[out];
    float[] y0i = yi[out];
    float[] y1r = yr[out + stride];
    float[] y1i = yi[out + stride];
    float[] y2r = yr[out + 2 * stride];
    float[] y2i = yi[out + 2 * stride];
    for (int u = 0; u < lanes; u++) y0r[u] = x0r[u] + (x1r[u] + x2r[u]);
    for (int u = 0; u < lanes; u++) y0i[u] = x0i[u] + (x1i[u] + x2i[u]);
    for (int u = 0; u < lanes; u++) {
      y1r[u] = ((x0r[u] - 0.5f * (x1r[u] + x2r[u])) - h * (x1i[u] - x2i[u])) * w1r
          - ((x0i[u] - 0.5f * (x1i[u] + x2i[u])) - nh * (x1r[u] - x2r[u])) * w1i;
    }
    for (int u = 0; u < lanes; u++) {
      y1i[u] = ((x0r[u] - 0.5f * (x1r[u] + x2r[u])) - h * (x1i[u] - x2i[u])) * w1i
          - ((x0i[u] - 0.5f * (x1i[u] + x2i[u])) - nh * (x1r[u] - x2r[u])) * nw1r;
    }
    for (int u = 0; u < lanes; u++) {
      y2r[u] = ((x0r[u] - 0.5f * (x1r[u] + x2r[u])) - nh * (x1i[u] - x2i[u])) * w2r
          - ((x0i[u] - 0.5f * (x1i[u] + x2i[u])) - h * (x1r[u] - x2r[u])) * w2i;
    }
    for (int u = 0; u < lanes; u++) {
      y2i[u] = ((x0r[u] - 0.5f * (x1r[u] + x2r[u])) - nh * (x1i[u] - x2i[u])) * w2i
          - ((x0i[u] - 0.5f * (x1i[u] + x2i[u])) - h * (x1r[u] - x2r[u])) * nw2r;
    }
  }

  private static void radix4(float[][] xr, float[][] xi, int in, int step, float[][] yr, float[][] yi, int out,
      int stride, int p, int lanes, float[] tc, float[] ts, float sign) {
    // With t0,1 = x0 +- x2 and t2,3 = x1 +- x3: out0 = t0 + t2, out2 = t0 - t2, and out1, out3 are
    // P = t1 - i t3 and M = t1 + i t3 (forward; swapped for the inverse, where w = +i), each times its twiddle.
    float w2r = tc[3 * p + 1];
    float w2i = sign * ts[3 * p + 1];
    float nw2r = -w2r;
    boolean forward = sign < 0;
    int pAt = forward ? 0 : 2;
    int mAt = 2 - pAt;
    float wpr = tc[3 * p + pAt];
    float wpi = sign * ts[3 * p + pAt];
    float nwpr = -wpr;
    float wmr = tc[3 * p + mAt];
    float wmi = sign * ts[3 * p + mAt];
    float nwmr = -wmr;
    float[] x0r = xr[in];
    float[] x0i = xi[in];
    float[] x1r = xr[in + step];
    float[] x1i = xi[in + step];
    float[] x2r = xr[in + 2 * step];
    float[] x2i = xi[in + 2 * step];
    float[] x3r = xr[in + 3 * step];
    float[] x3i = xi[in + 3 * step];
    float[] y0r = yr[out];
    float[] y0i = yi[out];
    float[] y2r = yr[out + 2 * stride];
    float[] y2i = yi[out + 2 * stride];
    float[] ypr = yr[out + (pAt + 1) * stride];
    float[] ypi = yi[out + (pAt + 1) * stride];
    float[] ymr = yr[out + (mAt + 1) * stride];
    float[] ymi = yi[out + (mAt + 1) * stride];
    for (int u = 0; u < lanes; u++) y0r[u] = (x0r[u] + x2r[u]) + (x1r[u] + x3r[u]);
    for (int u = 0; u < lanes; u++) y0i[u] = (x0i[u] + x2i[u]) + (x1i[u] + x3i[u]);
    for (int u = 0; u < lanes; u++) {
      y2r[u] = ((x0r[u] + x2r[u]) - (x1r[u] + x3r[u])) * w2r - ((x0i[u] + x2i[u]) - (x1i[u] + x3i[u])) * w2i;
    }
    for (int u = 0; u < lanes; u++) {
      y2i[u] = ((x0r[u] + x2r[u]) - (x1r[u] + x3r[u])) * w2i - ((x0i[u] + x2i[u]) - (x1i[u] + x3i[u])) * nw2r;
    }
    // P = (t1r + t3i, t1i - t3r), M = (t1r - t3i, t1i + t3r).
    for (int u = 0; u < lanes; u++) {
      ypr[u] = ((x0r[u] - x2r[u]) + (x1i[u] - x3i[u])) * wpr - ((x0i[u] - x2i[u]) - (x1r[u] - x3r[u])) * wpi;
    }
    for (int u = 0; u < lanes; u++) {
      ypi[u] = ((x0r[u] - x2r[u]) + (x1i[u] - x3i[u])) * wpi - ((x0i[u] - x2i[u]) - (x1r[u] - x3r[u])) * nwpr;
    }
    for (int u = 0; u < lanes; u++) {
      ymr[u] = ((x0r[u] - x2r[u]) - (x1i[u] - x3i[u])) * wmr - ((x0i[u] - x2i[u]) + (x1r[u] - x3r[u])) * wmi;
    }
    for (int u = 0; u < lanes; u++) {
      ymi[u] = ((x0r[u] - x2r[u]) - (x1i[u] - x3i[u])) * wmi - ((x0i[u] - x2i[u]) + (x1r[u] - x3r[u])) * nwmr;
    }
  }
}
