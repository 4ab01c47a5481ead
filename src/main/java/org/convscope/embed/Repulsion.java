package org.convscope.embed;

import java.util.stream.IntStream;

/** The all-pairs half of the t-SNE gradient: how the layout's points push each other apart. */
interface Repulsion {
  /**
   * @param forces for each point, sum_j w_ij^2 (y_i - y_j), x then y: the repulsion before dividing by Z
   * @param normalization Z = sum over i != j of w_ij, with w_ij = 1 / (1 + |y_i - y_j|^2)
   */
  record Result(double[] forces, double normalization) {}

  /** The repulsive sums for the n points at (y[2i], y[2i+1]). */
  Result compute(double[] y, int n);

  /** Below this many points the exact sums cost less than the FFT's grid. */
  int EXACT_BELOW = 2500;

  /** The exact sums for small sets, FFT-accelerated interpolation otherwise. */
  static Repulsion forSize(int n) {
    return n < EXACT_BELOW ? new Exact() : new FftRepulsion();
  }

  /** Every pair, O(n^2) (van der Maaten and Hinton 2008); rows in parallel, each summed in index order. */
  final class Exact implements Repulsion {
    @Override
    public Result compute(double[] y, int n) {
      double[] forces = new double[2 * n];
      double[] rowSums = new double[n];
      IntStream.range(0, n).parallel().forEach(i -> {
        double fx = 0;
        double fy = 0;
        double sum = 0;
        for (int j = 0; j < n; j++) {
          if (j == i) continue;
          double dx = y[2 * i] - y[2 * j];
          double dy = y[2 * i + 1] - y[2 * j + 1];
          double w = 1 / (1 + dx * dx + dy * dy);
          sum += w;
          fx += w * w * dx;
          fy += w * w * dy;
        }
        forces[2 * i] = fx;
        forces[2 * i + 1] = fy;
        rowSums[i] = sum;
      });
      double z = 0;
      for (double s : rowSums) z += s;
      return new Result(forces, z);
    }
  }
}
