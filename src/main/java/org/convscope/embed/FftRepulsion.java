package org.convscope.embed;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The repulsive half of the 2-D t-SNE gradient by FFT-accelerated interpolation (Linderman, Rachh, Hoskins,
 * Steinerberger and Kluger, "Fast interpolation-based t-SNE for improved visualization of single-cell RNA-seq
 * data", Nature Methods 2019; FIt-SNE).
 *
 * <p>The repulsion on y_i needs, over all j, the sums of w_ij = 1 / (1 + |y_i - y_j|^2) (for the normalization
 * Z) and of w_ij^2 times 1, y_j,x and y_j,y. Each is a sum of a smooth kernel times charges. The embedding's
 * square bounding box is cut into boxes holding {@value #NODES_PER_BOX} x {@value #NODES_PER_BOX} equispaced
 * nodes each: charges are spread onto the nodes with Lagrange interpolation weights, the node-to-node sums are a
 * discrete convolution done with FFTs (the kernel on a regular grid is a Toeplitz matrix), and the potentials
 * are interpolated back to the points with the same weights. The cost is O(n) plus the FFTs, against
 * Barnes-Hut's O(n log n).
 *
 * <p>The grid follows openTSNE (Policar, Strazar and Zupan, "openTSNE: a modular Python library for t-SNE
 * dimensionality reduction and embedding", J. Stat. Softw. 2024): boxes about {@value #BOX_WIDTH} unit wide and at
 * least {@value #MIN_BOXES} per side, so the FFT grows with the layout's span, not with n; its side is the next
 * 2^a 3^b size ({@link Fft}), not the next power of two. Four real convolutions are packed into two complex
 * ones, and the two kernels into one transform: the kernels are real and even, so their transforms are real.
 * The grids are single precision: the float rounding (about 1e-6 relative) is far below the interpolation
 * error (a few percent at this box width, as in FIt-SNE and openTSNE). Charges are spread sequentially in
 * point order, so the sums are the same on every run.
 */
final class FftRepulsion implements Repulsion {
  /** Interpolation nodes per box and dimension (FIt-SNE's default). */
  static final int NODES_PER_BOX = 3;
  /** At least this many boxes per dimension, however small the embedding (FIt-SNE's default). */
  static final int MIN_BOXES = 50;
  /** Boxes are at most this wide once the embedding spans more than MIN_BOXES of them (openTSNE's default). */
  static final double BOX_WIDTH = 1;

  /** The interpolation nodes' positions inside a box, as fractions of its width. */
  private static final double[] NODE_AT = new double[NODES_PER_BOX];
  /** 1 / prod_{m != k} (t_k - t_m): the denominators of the Lagrange basis polynomials. */
  private static final double[] LAGRANGE_DENOMINATOR = new double[NODES_PER_BOX];

  static {
    for (int k = 0; k < NODES_PER_BOX; k++) NODE_AT[k] = (k + 0.5) / NODES_PER_BOX;
    for (int k = 0; k < NODES_PER_BOX; k++) {
      double d = 1;
      for (int m = 0; m < NODES_PER_BOX; m++) if (m != k) d *= NODE_AT[k] - NODE_AT[m];
      LAGRANGE_DENOMINATOR[k] = 1 / d;
    }
  }

  private Fft fft;
  private float[][] grids;

  @Override
  public Result compute(double[] y, int n) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : y) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    double span = Math.max(hi - lo, 1e-9);
    // openTSNE's rule: one box per unit of embedding length, at least MIN_BOXES; then as many more boxes as the
    // FFT size (2^a 3^b, at least 2 nodes - 1 for a linear convolution) has room for.
    int boxesNeeded = Math.max(MIN_BOXES, (int) Math.ceil(span / BOX_WIDTH));
    int size = Fft.fastSizeAtLeast(2 * NODES_PER_BOX * boxesNeeded - 1);
    int boxes = (size + 1) / (2 * NODES_PER_BOX);
    int nodes = boxes * NODES_PER_BOX;
    double boxWidth = span / boxes;
    double spacing = boxWidth / NODES_PER_BOX;
    // Moments are taken about the centre: smaller charges cancel less in y_i sum w^2 - sum w^2 y_j.
    double centre = (lo + hi) / 2;
    prepare(size);

    int[] box = new int[2 * n];
    double[] weight = new double[2 * n * NODES_PER_BOX];
    double low = lo;
    IntStream.range(0, 2 * n).parallel().forEach(c -> {
      double at = (y[c] - low) / boxWidth;
      int b = Math.min(boxes - 1, (int) at);
      box[c] = b;
      lagrangeWeights(at - b, weight, c * NODES_PER_BOX);
    });

    float[] chargeRe = grids[0];
    float[] chargeIm = grids[1];
    float[] momentRe = grids[2];
    float[] momentIm = grids[3];
    float[] kernelRe = grids[4];
    float[] kernelIm = grids[5];
    IntStream.range(0, grids.length).parallel().forEach(g -> Arrays.fill(grids[g], 0f));
    for (int i = 0; i < n; i++) {
      int x0 = box[2 * i] * NODES_PER_BOX;
      int y0 = box[2 * i + 1] * NODES_PER_BOX;
      double yx = y[2 * i] - centre;
      double yy = y[2 * i + 1] - centre;
      for (int b = 0; b < NODES_PER_BOX; b++) {
        double wy = weight[(2 * i + 1) * NODES_PER_BOX + b];
        int row = (y0 + b) * size + x0;
        for (int a = 0; a < NODES_PER_BOX; a++) {
          double w = weight[2 * i * NODES_PER_BOX + a] * wy;
          chargeRe[row + a] += (float) w;
          momentRe[row + a] += (float) (w * yx);
          momentIm[row + a] += (float) (w * yy);
        }
      }
    }
    fillKernels(kernelRe, kernelIm, size, nodes, spacing);

    fft.forward(kernelRe, kernelIm, size);
    fft.forward(chargeRe, chargeIm, nodes);
    fft.forward(momentRe, momentIm, nodes);
    // The kernels are real and even, so their transforms are real: K1 + i K2 transforms to K1^ + i K2^.
    // charge * (K1 + i K2) gives sum w and sum w^2 together; (x + i y moments) * K2 gives both moments.
    IntStream.range(0, size).parallel().forEach(r -> {
      for (int g = r * size; g < (r + 1) * size; g++) {
        float k1 = kernelRe[g];
        float k2 = kernelIm[g];
        float cr = chargeRe[g];
        float ci = chargeIm[g];
        chargeRe[g] = cr * k1 - ci * k2;
        chargeIm[g] = cr * k2 + ci * k1;
        momentRe[g] *= k2;
        momentIm[g] *= k2;
      }
    });
    fft.inverseUnscaled(chargeRe, chargeIm, nodes);
    fft.inverseUnscaled(momentRe, momentIm, nodes);
    double scale = 1.0 / ((double) size * size);

    double[] forces = new double[2 * n];
    double[] sumW = new double[n];
    IntStream.range(0, n).parallel().forEach(i -> {
      int x0 = box[2 * i] * NODES_PER_BOX;
      int y0 = box[2 * i + 1] * NODES_PER_BOX;
      double phiW = 0;
      double phiW2 = 0;
      double phiX = 0;
      double phiY = 0;
      for (int b = 0; b < NODES_PER_BOX; b++) {
        double wy = weight[(2 * i + 1) * NODES_PER_BOX + b];
        int row = (y0 + b) * size + x0;
        for (int a = 0; a < NODES_PER_BOX; a++) {
          double w = weight[2 * i * NODES_PER_BOX + a] * wy;
          phiW += w * chargeRe[row + a];
          phiW2 += w * chargeIm[row + a];
          phiX += w * momentRe[row + a];
          phiY += w * momentIm[row + a];
        }
      }
      sumW[i] = phiW * scale;
      // sum_j w_ij^2 (y_i - y_j) = y_i sum_j w_ij^2 - sum_j w_ij^2 y_j; the j = i terms cancel.
      forces[2 * i] = ((y[2 * i] - centre) * phiW2 - phiX) * scale;
      forces[2 * i + 1] = ((y[2 * i + 1] - centre) * phiW2 - phiY) * scale;
    });
    double z = 0;
    for (int i = 0; i < n; i++) z += sumW[i] - 1; // minus w_ii = 1
    return new Result(forces, z);
  }

  private void prepare(int size) {
    if (fft != null && fft.size() == size) return;
    fft = new Fft(size);
    grids = new float[6][size * size];
  }

  /** The Lagrange basis polynomials of the box's nodes at fraction t of the box. */
  private static void lagrangeWeights(double t, double[] out, int offset) {
    for (int k = 0; k < NODES_PER_BOX; k++) {
      double p = LAGRANGE_DENOMINATOR[k];
      for (int m = 0; m < NODES_PER_BOX; m++) if (m != k) p *= t - NODE_AT[m];
      out[offset + k] = p;
    }
  }

  /**
   * K1 = 1 / (1 + r^2) in the real part and K2 = K1^2 in the imaginary part, at every node offset, laid out
   * circularly (negative offsets wrap to the end) so that the circular convolution of the zero-padded charges
   * is the plain one.
   */
  private static void fillKernels(float[] re, float[] im, int size, int nodes, double spacing) {
    IntStream.range(0, nodes).parallel().forEach(dy -> {
      for (int dx = 0; dx < nodes; dx++) {
        double r2 = spacing * spacing * ((double) dx * dx + (double) dy * dy);
        double k1 = 1 / (1 + r2);
        double k2 = k1 * k1;
        for (int sy = 0; sy < (dy == 0 ? 1 : 2); sy++) {
          int row = sy == 0 ? dy : size - dy;
          for (int sx = 0; sx < (dx == 0 ? 1 : 2); sx++) {
            int col = sx == 0 ? dx : size - dx;
            re[row * size + col] = (float) k1;
            im[row * size + col] = (float) k2;
          }
        }
      }
    });
  }
}
