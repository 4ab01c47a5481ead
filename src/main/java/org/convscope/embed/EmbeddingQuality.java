package org.convscope.embed;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/** How faithful a 2-D layout is to the space it came from. */
public final class EmbeddingQuality {
  private EmbeddingQuality() {}

  /**
   * Trustworthiness (Venna and Kaski, "Neighborhood preservation in nonlinear projection methods", ICANN 2001):
   * 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_i} (r(i, j) - k), where U_i are the layout's k nearest
   * neighbours of i that are not among its k nearest in the original space and r(i, j) is j's rank among i's
   * neighbours there. 1 means no false neighbours. Exact, O(n^2 log n): pass a subsample for large sets.
   *
   * @param high n x d original coordinates
   * @param low n x 2 layout
   */
  public static double trustworthiness(double[] high, int d, double[] low, int n, int k) {
    if (k < 1 || 2 * n - 3 * k - 1 <= 0) throw new IllegalArgumentException("trustworthiness needs n > 1.5 k + 0.5; got n " + n + ", k " + k);
    double[] penalty = new double[n];
    IntStream.range(0, n).parallel().forEach(i -> {
      int[] rank = ranks(high, d, n, i);
      double[] layoutDistance = new double[n];
      for (int j = 0; j < n; j++) layoutDistance[j] = squared(low, 2, i, j);
      int[] nearest = smallest(layoutDistance, i, k);
      double s = 0;
      for (int j : nearest) if (rank[j] > k) s += rank[j] - k;
      penalty[i] = s;
    });
    double total = 0;
    for (double p : penalty) total += p;
    return 1 - 2.0 / (n * (double) k * (2.0 * n - 3.0 * k - 1.0)) * total;
  }

  /**
   * The share of each point's k nearest layout neighbours that carry its label, averaged over the points with
   * a label (labels below 0 are skipped): how well the layout keeps classes together.
   */
  public static double classAgreement(double[] low, int[] labels, int k) {
    int n = labels.length;
    PlaneNeighbors neighbors = new PlaneNeighbors(low, n);
    double[] share = new double[n];
    IntStream.range(0, n).parallel().forEach(i -> {
      if (labels[i] < 0) return;
      int same = 0;
      for (int j : neighbors.nearest(i, k)) if (labels[j] == labels[i]) same++;
      share[i] = same / (double) k;
    });
    double total = 0;
    int counted = 0;
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0) continue;
      total += share[i];
      counted++;
    }
    return counted == 0 ? Double.NaN : total / counted;
  }

  /** {@code m} distinct indices of [0, n), sorted, drawn with a seeded partial Fisher-Yates shuffle (all when m >= n). */
  public static int[] subsample(int n, int m, long seed) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) all[i] = i;
    if (m >= n) return all;
    Random random = new Random(seed);
    for (int i = 0; i < m; i++) {
      int j = i + random.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] picked = Arrays.copyOf(all, m);
    Arrays.sort(picked);
    return picked;
  }

  /** The rows of an n x d matrix at {@code indices}. */
  public static double[] rows(double[] x, int d, int[] indices) {
    double[] out = new double[indices.length * d];
    for (int r = 0; r < indices.length; r++) System.arraycopy(x, indices[r] * d, out, r * d, d);
    return out;
  }

  /** rank[j] = position (1-based) of j among i's neighbours by distance, ties by index; rank[i] = 0. */
  private static int[] ranks(double[] x, int d, int n, int i) {
    double[] dist = new double[n];
    for (int j = 0; j < n; j++) dist[j] = squared(x, d, i, j);
    long[] order = sortByValue(dist, i);
    int[] rank = new int[n];
    for (int r = 0; r < order.length; r++) rank[(int) order[r]] = r + 1;
    return rank;
  }

  private static int[] smallest(double[] values, int skip, int k) {
    long[] order = sortByValue(values, skip);
    int[] out = new int[k];
    for (int r = 0; r < k; r++) out[r] = (int) order[r];
    return out;
  }

  /**
   * The indices other than {@code skip}, sorted by value then index: packed as longs whose high half is the
   * value as a float (whose bits order like the value for values >= 0) and whose low half is the index.
   */
  private static long[] sortByValue(double[] values, int skip) {
    long[] keys = new long[values.length - 1];
    int at = 0;
    for (int j = 0; j < values.length; j++) {
      if (j != skip) keys[at++] = (long) Float.floatToIntBits((float) values[j]) << 32 | j;
    }
    Arrays.sort(keys);
    for (int r = 0; r < keys.length; r++) keys[r] &= 0xffffffffL;
    return keys;
  }

  static double squared(double[] x, int d, int i, int j) {
    double s = 0;
    for (int p = 0; p < d; p++) {
      double diff = x[i * d + p] - x[j * d + p];
      s += diff * diff;
    }
    return s;
  }

  /** Exact nearest neighbours in the plane through a uniform grid of about two points per cell. */
  static final class PlaneNeighbors {
    private final double[] y;
    private final double minX;
    private final double minY;
    private final double cell;
    private final int side;
    private final int[] cellStart;
    private final int[] sorted;

    PlaneNeighbors(double[] y, int n) {
      this.y = y;
      double lx = Double.POSITIVE_INFINITY;
      double ly = Double.POSITIVE_INFINITY;
      double hx = Double.NEGATIVE_INFINITY;
      double hy = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        lx = Math.min(lx, y[2 * i]);
        hx = Math.max(hx, y[2 * i]);
        ly = Math.min(ly, y[2 * i + 1]);
        hy = Math.max(hy, y[2 * i + 1]);
      }
      minX = lx;
      minY = ly;
      side = Math.max(1, (int) Math.ceil(Math.sqrt(n / 2.0)));
      cell = Math.max(Math.max(hx - lx, hy - ly) / side, 1e-12);
      cellStart = new int[side * side + 1];
      int[] cellOf = new int[n];
      for (int i = 0; i < n; i++) {
        cellOf[i] = cellIndex(column(y[2 * i]), row(y[2 * i + 1]));
        cellStart[cellOf[i] + 1]++;
      }
      for (int c = 0; c < side * side; c++) cellStart[c + 1] += cellStart[c];
      int[] fill = Arrays.copyOf(cellStart, side * side);
      sorted = new int[n];
      for (int i = 0; i < n; i++) sorted[fill[cellOf[i]]++] = i;
    }

    private int column(double x) {
      return Math.min(side - 1, (int) ((x - minX) / cell));
    }

    private int row(double v) {
      return Math.min(side - 1, (int) ((v - minY) / cell));
    }

    private int cellIndex(int cx, int cy) {
      return cy * side + cx;
    }

    /** The k nearest other points of i, nearest first. */
    int[] nearest(int i, int k) {
      NeighborGraph.TopK top = new NeighborGraph.TopK(k);
      int cx = column(y[2 * i]);
      int cy = row(y[2 * i + 1]);
      for (int ring = 0; ring <= side; ring++) {
        for (int gy = cy - ring; gy <= cy + ring; gy++) {
          if (gy < 0 || gy >= side) continue;
          boolean edgeRow = gy == cy - ring || gy == cy + ring;
          for (int gx = cx - ring; gx <= cx + ring; gx += edgeRow ? 1 : 2 * Math.max(ring, 1)) {
            if (gx < 0 || gx >= side) continue;
            int c = cellIndex(gx, gy);
            for (int e = cellStart[c]; e < cellStart[c + 1]; e++) {
              int j = sorted[e];
              if (j != i) top.offer((float) squared(y, 2, i, j), j);
            }
          }
        }
        // Every point in a further ring is at least ring * cell away.
        if (top.worst() <= (float) (ring * cell * ring * cell)) break;
      }
      int[] ids = top.indices();
      Arrays.sort(ids); // callers count labels; order does not matter
      return ids;
    }
  }
}
