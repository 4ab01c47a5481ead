package org.convscope.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TsneTest {
  /** n points in `clusters` Gaussian blobs of unit spread in d dimensions, centres `separation` apart on axes. */
  static double[] blobs(int n, int d, int clusters, double separation, long seed, int[] labels) {
    Random random = new Random(seed);
    double[] x = new double[n * d];
    for (int i = 0; i < n; i++) {
      labels[i] = i % clusters;
      for (int p = 0; p < d; p++) x[i * d + p] = random.nextGaussian() + (p == labels[i] ? separation : 0);
    }
    return x;
  }

  /** P by the textbook O(n^2) route: every other point, bisection on log(beta), then (P + P^T) / 2n. */
  static double[][] exactAffinities(double[] x, int n, int d, double perplexity) {
    double[][] conditional = new double[n][n];
    for (int i = 0; i < n; i++) {
      double[] dist = new double[n];
      for (int j = 0; j < n; j++) dist[j] = EmbeddingQuality.squared(x, d, i, j);
      double lo = -50;
      double hi = 50;
      double[] row = new double[n];
      for (int step = 0; step < 200; step++) {
        double logBeta = (lo + hi) / 2;
        double beta = Math.exp(logBeta);
        double sum = 0;
        for (int j = 0; j < n; j++) row[j] = j == i ? 0 : Math.exp(-beta * dist[j]);
        for (double v : row) sum += v;
        double entropy = 0;
        for (int j = 0; j < n; j++) {
          if (row[j] == 0) continue;
          double pj = row[j] / sum;
          entropy -= pj * Math.log(pj);
        }
        if (entropy > Math.log(perplexity)) lo = logBeta; else hi = logBeta;
      }
      double sum = 0;
      for (double v : row) sum += v;
      for (int j = 0; j < n; j++) conditional[i][j] = row[j] / sum;
    }
    double[][] p = new double[n][n];
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) p[i][j] = (conditional[i][j] + conditional[j][i]) / (2.0 * n);
    return p;
  }

  private static Affinities sparse(double[] x, int n, int d, double perplexity) {
    float[] f = new float[x.length];
    for (int i = 0; i < f.length; i++) f[i] = (float) x[i];
    return Affinities.compute(NeighborGraph.build(f, n, d, Affinities.neighborCount(perplexity, n), () -> false), perplexity);
  }

  @Test
  void affinitiesMatchTheExactComputationWhenEveryPointIsANeighbour() {
    int n = 25;
    int d = 5;
    double[] x = blobs(n, d, 3, 4, 1, new int[n]);
    Affinities p = sparse(x, n, d, 8); // 3 * 8 >= n - 1: the graph holds every pair
    double[][] exact = exactAffinities(x, n, d, 8);
    double total = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        // The search stops within 1e-5 nats of the entropy, which moves tail entries by a fraction of a percent.
        assertEquals(exact[i][j], p.get(i, j), 1e-2 * exact[i][j] + 1e-9, "P[" + i + "][" + j + "]");
        assertEquals(p.get(i, j), p.get(j, i), 0, "P is symmetric");
        total += p.get(i, j);
      }
    }
    assertEquals(1, total, 1e-12);
  }

  @Test
  void sparseAffinitiesHoldNearlyAllOfTheExactMass() {
    int n = 300;
    int d = 10;
    double[] x = blobs(n, d, 3, 3, 2, new int[n]);
    Affinities p = sparse(x, n, d, 10);
    double[][] exact = exactAffinities(x, n, d, 10);
    double difference = 0;
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) difference += Math.abs(exact[i][j] - p.get(i, j));
    // The Gaussians' tails beyond the 30 nearest neighbours are cut and their mass given to the neighbours.
    assertTrue(difference < 0.08, "L1 distance between the kNN and the exact affinities: " + difference);
  }

  @Test
  void fftRepulsionMatchesTheExactSums() {
    // A layout as dense as t-SNE makes them: 3000 points in clusters over some 40 units.
    int n = 3000;
    Random random = new Random(3);
    double[] y = new double[2 * n];
    for (int i = 0; i < n; i++) {
      y[2 * i] = random.nextGaussian() * 4 + 15 * (i % 3);
      y[2 * i + 1] = random.nextGaussian() * 4 - 12 * (i % 2);
    }
    Repulsion.Result exact = new Repulsion.Exact().compute(y, n);
    Repulsion.Result fft = new FftRepulsion().compute(y, n);
    assertEquals(exact.normalization(), fft.normalization(), 1e-3 * exact.normalization(), "Z");
    double error = 0;
    double norm = 0;
    for (int c = 0; c < 2 * n; c++) {
      error += Math.pow(fft.forces()[c] - exact.forces()[c], 2);
      norm += Math.pow(exact.forces()[c], 2);
    }
    // Quadratic interpolation on openTSNE's boxes, about one unit wide on this layout of some 60 units:
    // 2.1e-2 measured; the error falls with the cube of the width.
    assertTrue(Math.sqrt(error / norm) < 3e-2, "relative error of the repulsive forces: " + Math.sqrt(error / norm));
  }

  @Test
  void klDivergenceFallsAfterExaggeration() {
    int n = 500;
    int d = 10;
    double[] x = blobs(n, d, 5, 2, 4, new int[n]);
    List<double[]> seen = new ArrayList<>();
    Tsne.Result result = Tsne.fit(x, n, d, TsneOptions.defaults().withIterations(600).withPerplexity(20),
        (iteration, kl) -> { }, () -> false);
    for (double[] point : result.klHistory()) if (point[0] > 250) seen.add(point);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i)[1] <= seen.get(i - 1)[1] + 1e-3, "KL rose at iteration " + seen.get(i)[0] + ": " + seen.get(i - 1)[1] + " -> " + seen.get(i)[1]);
    }
    double first = result.klHistory().get(0)[1];
    assertTrue(result.klDivergence() < 0.7 * first, "KL fell from " + first + " to " + result.klDivergence());
    assertEquals(result.klHistory().get(result.klHistory().size() - 1)[1], result.klDivergence());
  }

  @Test
  void wellSeparatedClustersStayApart() {
    int n = 400;
    int d = 20;
    int[] labels = new int[n];
    double[] x = blobs(n, d, 4, 12, 5, labels);
    Tsne.Result result = Tsne.fit(x, n, d, TsneOptions.defaults().withIterations(500), (i, kl) -> { }, () -> false);
    double agreement = EmbeddingQuality.classAgreement(result.coordinates(), labels, 10);
    assertTrue(agreement >= 0.99, "10-NN class agreement " + agreement);
    assertTrue(EmbeddingQuality.trustworthiness(x, d, result.coordinates(), n, 10) > 0.9);
  }

  @Test
  void aFixedSeedReproducesTheLayoutExactly() {
    int n = 300;
    int d = 8;
    double[] x = blobs(n, d, 3, 3, 6, new int[n]);
    for (TsneOptions.Initialization init : TsneOptions.Initialization.values()) {
      TsneOptions options = TsneOptions.defaults().withIterations(300).withInitialization(init).withSeed(42);
      double[] first = Tsne.fit(x, n, d, options, (i, kl) -> { }, () -> false).coordinates();
      double[] second = Tsne.fit(x, n, d, options, (i, kl) -> { }, () -> false).coordinates();
      assertArrayEquals(first, second, 0, init + " start");
    }
    TsneOptions random = TsneOptions.defaults().withIterations(50).withInitialization(TsneOptions.Initialization.RANDOM);
    double[] a = Tsne.fit(x, n, d, random.withSeed(1), (i, kl) -> { }, () -> false).coordinates();
    double[] b = Tsne.fit(x, n, d, random.withSeed(2), (i, kl) -> { }, () -> false).coordinates();
    assertTrue(a[0] != b[0], "another seed starts elsewhere");
  }

  @Test
  void tooLargeAPerplexityIsRefused() {
    double[] x = blobs(10, 3, 2, 3, 7, new int[10]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tsne.fit(x, 10, 3, TsneOptions.defaults(), (i, kl) -> { }, () -> false));
    assertTrue(e.getMessage().contains("perplexity 30.0 is too large for 10 points"), e.getMessage());
  }
}
