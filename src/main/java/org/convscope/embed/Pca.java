package org.convscope.embed;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Principal component analysis (Pearson 1901; Hotelling 1933): the directions of largest variance of a point
 * set, from the eigenvectors of its covariance matrix.
 *
 * <p>The covariance is summed in double precision over fixed chunks of rows that run in parallel and are then
 * added in chunk order, so it is the same on any number of cores. The leading eigenvectors come from subspace
 * iteration with Rayleigh-Ritz projection (Golub and Van Loan, "Matrix Computations", 8.2.4), the small
 * projected problem solved by cyclic Jacobi rotations. Each component's sign is fixed so that its largest entry
 * is positive.
 *
 * @param mean the data's mean, d values
 * @param components the principal axes, one row of d values each, by decreasing variance
 * @param variances the variance along each axis
 */
public record Pca(double[] mean, double[][] components, double[] variances) {
  private static final int ROW_CHUNK = 1024;
  private static final int MAX_ITERATIONS = 300;
  /** Stop when no wanted eigenvalue moved by more than this fraction in an iteration. */
  private static final double TOLERANCE = 1e-9;

  /**
   * The first {@code count} principal components of the n x d rows of {@code x}.
   *
   * @throws IllegalArgumentException when count is not in [1, d] or there are fewer than 2 points
   */
  public static Pca fit(float[] x, int n, int d, int count) {
    if (n < 2) throw new IllegalArgumentException("PCA needs at least 2 points, got " + n);
    if (count < 1 || count > d) throw new IllegalArgumentException("cannot take " + count + " components of " + d + "-dimensional data");
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) for (int p = 0; p < d; p++) mean[p] += x[i * d + p];
    for (int p = 0; p < d; p++) mean[p] /= n;
    double[] covariance = covariance(x, n, d, mean);
    // Component c converges like (lambda_{width+1} / lambda_c)^iterations: extra vectors widen the gap.
    int width = Math.min(d, Math.max(2 * count, count + 10));
    double[][] basis = subspaceIteration(covariance, d, width, count);
    double[][] components = Arrays.copyOf(basis, count);
    double[] variances = new double[count];
    for (int c = 0; c < count; c++) {
      fixSign(components[c]);
      variances[c] = quadraticForm(covariance, d, components[c]);
    }
    return new Pca(mean, components, variances);
  }

  /** Projects the n x d rows onto the components: n x count values, row-major. */
  public double[] project(float[] x, int n) {
    int d = mean.length;
    int count = components.length;
    double[] out = new double[n * count];
    IntStream.range(0, n).parallel().forEach(i -> {
      for (int c = 0; c < count; c++) {
        double s = 0;
        double[] axis = components[c];
        for (int p = 0; p < d; p++) s += (x[i * d + p] - mean[p]) * axis[p];
        out[i * count + c] = s;
      }
    });
    return out;
  }

  /** The upper triangle of sum (x - mean)(x - mean)^T / (n - 1), mirrored. */
  private static double[] covariance(float[] x, int n, int d, double[] mean) {
    int chunks = (n + ROW_CHUNK - 1) / ROW_CHUNK;
    double[][] partial = new double[chunks][];
    IntStream.range(0, chunks).parallel().forEach(c -> {
      double[] sum = new double[d * d];
      double[] centred = new double[d];
      for (int i = c * ROW_CHUNK; i < Math.min(n, (c + 1) * ROW_CHUNK); i++) {
        for (int p = 0; p < d; p++) centred[p] = x[i * d + p] - mean[p];
        for (int a = 0; a < d; a++) {
          double v = centred[a];
          int row = a * d;
          for (int b = a; b < d; b++) sum[row + b] += v * centred[b];
        }
      }
      partial[c] = sum;
    });
    double[] total = new double[d * d];
    for (double[] sum : partial) for (int e = 0; e < total.length; e++) total[e] += sum[e];
    for (int a = 0; a < d; a++) {
      for (int b = a; b < d; b++) {
        double v = total[a * d + b] / (n - 1);
        total[a * d + b] = v;
        total[b * d + a] = v;
      }
    }
    return total;
  }

  /**
   * An orthonormal basis of the dominant {@code width}-dimensional invariant subspace of the symmetric d x d
   * matrix {@code a}, as eigenvectors sorted by decreasing eigenvalue, iterated until the first {@code wanted}
   * eigenvalues settle.
   */
  private static double[][] subspaceIteration(double[] a, int d, int width, int wanted) {
    double[][] q = new double[width][d];
    for (int c = 0; c < width; c++) {
      for (int p = 0; p < d; p++) q[c][p] = Math.sin(1.0 + c * 7.0 + p * 3.0); // any start not orthogonal to the answer
    }
    orthonormalize(q);
    double[] previous = new double[width];
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double[][] aq = new double[width][];
      IntStream.range(0, width).parallel().forEach(c -> aq[c] = multiply(a, d, q[c]));
      // Rayleigh-Ritz: the eigenvectors of Q^T A Q rotate Q onto the best approximations in its span.
      double[] small = new double[width * width];
      for (int i = 0; i < width; i++) for (int j = 0; j < width; j++) small[i * width + j] = dot(q[i], aq[j]);
      double[][] rotation = new double[width][width];
      double[] values = Jacobi.eigen(small, width, rotation);
      double[][] next = new double[width][d];
      for (int c = 0; c < width; c++) {
        for (int j = 0; j < width; j++) {
          double r = rotation[c][j];
          for (int p = 0; p < d; p++) next[c][p] += r * aq[j][p];
        }
      }
      orthonormalize(next);
      double change = 0;
      for (int c = 0; c < wanted; c++) change = Math.max(change, Math.abs(values[c] - previous[c]) / Math.max(Math.abs(values[c]), 1e-300));
      for (int c = 0; c < width; c++) q[c] = next[c];
      previous = values;
      if (width == d || change < TOLERANCE) break;
    }
    // A last Rayleigh-Ritz step sorts the converged basis into eigenvectors.
    double[][] aq = new double[width][];
    for (int c = 0; c < width; c++) aq[c] = multiply(a, d, q[c]);
    double[] small = new double[width * width];
    for (int i = 0; i < width; i++) for (int j = 0; j < width; j++) small[i * width + j] = dot(q[i], aq[j]);
    double[][] rotation = new double[width][width];
    Jacobi.eigen(small, width, rotation);
    double[][] out = new double[width][d];
    for (int c = 0; c < width; c++) {
      for (int j = 0; j < width; j++) for (int p = 0; p < d; p++) out[c][p] += rotation[c][j] * q[j][p];
    }
    orthonormalize(out);
    return out;
  }

  private static double[] multiply(double[] a, int d, double[] v) {
    double[] out = new double[d];
    for (int r = 0; r < d; r++) {
      double s = 0;
      for (int p = 0; p < d; p++) s += a[r * d + p] * v[p];
      out[r] = s;
    }
    return out;
  }

  /** Modified Gram-Schmidt, twice for stability. */
  private static void orthonormalize(double[][] vectors) {
    for (int pass = 0; pass < 2; pass++) {
      for (int c = 0; c < vectors.length; c++) {
        for (int prior = 0; prior < c; prior++) {
          double proj = dot(vectors[c], vectors[prior]);
          for (int p = 0; p < vectors[c].length; p++) vectors[c][p] -= proj * vectors[prior][p];
        }
        double norm = Math.sqrt(dot(vectors[c], vectors[c]));
        if (norm < 1e-300) throw new IllegalStateException("PCA basis lost rank");
        for (int p = 0; p < vectors[c].length; p++) vectors[c][p] /= norm;
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  private static double quadraticForm(double[] a, int d, double[] v) {
    return dot(v, multiply(a, d, v));
  }

  private static void fixSign(double[] v) {
    int largest = 0;
    for (int p = 1; p < v.length; p++) if (Math.abs(v[p]) > Math.abs(v[largest])) largest = p;
    if (v[largest] < 0) for (int p = 0; p < v.length; p++) v[p] = -v[p];
  }

  /** Eigen-decomposition of small symmetric matrices by cyclic Jacobi rotations (Jacobi 1846). */
  static final class Jacobi {
    private Jacobi() {}

    /**
     * The eigenvalues of the symmetric m x m matrix {@code a} (destroyed), decreasing, with the matching unit
     * eigenvectors as the rows of {@code vectors}.
     */
    static double[] eigen(double[] a, int m, double[][] vectors) {
      double[][] v = new double[m][m];
      for (int i = 0; i < m; i++) v[i][i] = 1;
      for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (int p = 0; p < m; p++) for (int q = p + 1; q < m; q++) off += a[p * m + q] * a[p * m + q];
        if (off < 1e-30) break;
        for (int p = 0; p < m; p++) {
          for (int q = p + 1; q < m; q++) {
            double apq = a[p * m + q];
            if (Math.abs(apq) < 1e-300) continue;
            double theta = (a[q * m + q] - a[p * m + p]) / (2 * apq);
            double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
            if (theta == 0) t = 1;
            double c = 1 / Math.sqrt(t * t + 1);
            double s = t * c;
            for (int k = 0; k < m; k++) { // columns p and q
              double akp = a[k * m + p];
              double akq = a[k * m + q];
              a[k * m + p] = c * akp - s * akq;
              a[k * m + q] = s * akp + c * akq;
            }
            for (int k = 0; k < m; k++) { // rows p and q
              double apk = a[p * m + k];
              double aqk = a[q * m + k];
              a[p * m + k] = c * apk - s * aqk;
              a[q * m + k] = s * apk + c * aqk;
            }
            for (int k = 0; k < m; k++) {
              double vkp = v[k][p];
              double vkq = v[k][q];
              v[k][p] = c * vkp - s * vkq;
              v[k][q] = s * vkp + c * vkq;
            }
          }
        }
      }
      Integer[] order = new Integer[m];
      for (int i = 0; i < m; i++) order[i] = i;
      Arrays.sort(order, (i, j) -> Double.compare(a[j * m + j], a[i * m + i]));
      double[] values = new double[m];
      for (int r = 0; r < m; r++) {
        int col = order[r];
        values[r] = a[col * m + col];
        for (int k = 0; k < m; k++) vectors[r][k] = v[k][col];
      }
      return values;
    }
  }
}
