package org.convscope.embed;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * t-SNE's input similarities P (van der Maaten and Hinton, "Visualizing Data using t-SNE", JMLR 2008), on the
 * sparse k-nearest-neighbour graph of van der Maaten ("Accelerating t-SNE using Tree-Based Algorithms", JMLR
 * 2014): for each point i a Gaussian over its k = 3 * perplexity nearest neighbours, p(j|i) proportional to
 * exp(-beta_i d_ij^2), with beta_i found by binary search so that the perplexity 2^H(P_i) is the one asked for;
 * then P = (P_cond + P_cond^T) / 2n, which sums to 1.
 *
 * <p>Stored symmetric in compressed rows: row i's columns are sorted, and entry (i, j) equals entry (j, i).
 *
 * @param rowStart row i's entries are at [rowStart[i], rowStart[i+1])
 */
public record Affinities(int n, int[] rowStart, int[] columns, double[] values) {
  /** Stop the search when the entropy is this close (in nats) to log(perplexity). */
  private static final double ENTROPY_TOLERANCE = 1e-5;
  private static final int MAX_SEARCH_STEPS = 200;

  /** How many neighbours the affinities of a perplexity use: 3 * perplexity, at most n - 1. */
  public static int neighborCount(double perplexity, int n) {
    return Math.min(n - 1, (int) Math.floor(3 * perplexity));
  }

  /**
   * The affinities of a neighbour graph (squared Euclidean distances) at {@code perplexity}.
   *
   * @throws IllegalArgumentException when the graph has fewer neighbours than the perplexity needs
   */
  public static Affinities compute(NeighborGraph graph, double perplexity) {
    int n = graph.n();
    int k = graph.k();
    if (!(perplexity > 0) || perplexity >= k) {
      // k neighbours reach at most perplexity k, and only with all of them equally likely.
      throw new IllegalArgumentException("perplexity " + perplexity + " needs more than the " + k + " neighbours per point that "
          + n + " points allow");
    }
    double[] conditional = new double[n * k];
    IntStream.range(0, n).parallel().forEach(i -> calibrate(graph, i, perplexity, conditional));
    return symmetrize(graph, conditional);
  }

  /** Row i of P_cond: the binary search on beta (a precision, 1 / 2 sigma^2) for the target entropy. */
  private static void calibrate(NeighborGraph graph, int i, double perplexity, double[] out) {
    int k = graph.k();
    double[] d = new double[k];
    // Shifting by the nearest distance changes no probability and keeps exp() from underflowing.
    double nearest = graph.distance(i, 0);
    for (int j = 0; j < k; j++) d[j] = graph.distance(i, j) - nearest;
    double target = Math.log(perplexity);
    double beta = 1;
    double low = 0;
    double high = Double.POSITIVE_INFINITY;
    double[] p = new double[k];
    for (int step = 0; step < MAX_SEARCH_STEPS; step++) {
      double sum = 0;
      double weighted = 0;
      for (int j = 0; j < k; j++) {
        p[j] = Math.exp(-beta * d[j]);
        sum += p[j];
        weighted += d[j] * p[j];
      }
      // H = log(sum) + beta * E[d]: the entropy in nats of p_j = exp(-beta d_j) / sum.
      double entropy = Math.log(sum) + beta * weighted / sum;
      double error = entropy - target;
      if (Math.abs(error) < ENTROPY_TOLERANCE) break;
      if (error > 0) { // too flat: sharpen
        low = beta;
        beta = Double.isInfinite(high) ? beta * 2 : (beta + high) / 2;
      } else {
        high = beta;
        beta = (beta + low) / 2;
      }
    }
    double sum = 0;
    for (int j = 0; j < k; j++) {
      p[j] = Math.exp(-beta * d[j]);
      sum += p[j];
    }
    for (int j = 0; j < k; j++) out[i * k + j] = p[j] / sum;
  }

  private static Affinities symmetrize(NeighborGraph graph, double[] conditional) {
    int n = graph.n();
    int k = graph.k();
    // Each conditional entry (i, j) adds to both (i, j) and (j, i); count, place, then merge duplicates per row.
    int[] counts = new int[n + 1];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        counts[i + 1]++;
        counts[graph.neighbor(i, j) + 1]++;
      }
    }
    for (int i = 0; i < n; i++) counts[i + 1] += counts[i];
    int[] fill = Arrays.copyOf(counts, n);
    int[] cols = new int[counts[n]];
    double[] vals = new double[counts[n]];
    double scale = 1.0 / (2.0 * n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        int other = graph.neighbor(i, j);
        double v = conditional[i * k + j] * scale;
        cols[fill[i]] = other;
        vals[fill[i]++] = v;
        cols[fill[other]] = i;
        vals[fill[other]++] = v;
      }
    }
    int[] rowLength = new int[n];
    IntStream.range(0, n).parallel().forEach(i -> rowLength[i] = mergeRow(cols, vals, counts[i], counts[i + 1]));
    int[] rowStart = new int[n + 1];
    for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + rowLength[i];
    int[] outCols = new int[rowStart[n]];
    double[] outVals = new double[rowStart[n]];
    for (int i = 0; i < n; i++) {
      System.arraycopy(cols, counts[i], outCols, rowStart[i], rowLength[i]);
      System.arraycopy(vals, counts[i], outVals, rowStart[i], rowLength[i]);
    }
    return new Affinities(n, rowStart, outCols, outVals);
  }

  /** Sorts a row's entries by column and adds up repeated columns in place; returns the merged length. */
  private static int mergeRow(int[] cols, double[] vals, int from, int to) {
    int len = to - from;
    long[] packed = new long[len];
    for (int e = 0; e < len; e++) packed[e] = (long) cols[from + e] << 32 | e;
    Arrays.sort(packed);
    double[] original = Arrays.copyOfRange(vals, from, to);
    int out = -1;
    int last = -1;
    for (long key : packed) {
      int col = (int) (key >>> 32);
      double v = original[(int) key];
      if (col == last) {
        vals[from + out] += v;
      } else {
        out++;
        cols[from + out] = col;
        vals[from + out] = v;
        last = col;
      }
    }
    return out + 1;
  }

  /** The number of stored entries. */
  public int entries() {
    return columns.length;
  }

  /** P(i, j), zero where the graph has no edge. */
  public double get(int i, int j) {
    int at = Arrays.binarySearch(columns, rowStart[i], rowStart[i + 1], j);
    return at >= 0 ? values[at] : 0;
  }
}
