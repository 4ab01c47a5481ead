package org.convscope.embed;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * The exact k nearest neighbours of every point under squared Euclidean distance, found by brute force.
 *
 * <p>Distances come from |x|^2 + |y|^2 - 2 x.y, with the dot products of a block of rows against a chunk of
 * points at a time: the inner loop is a multiply-add over contiguous floats, which the JIT vectorizes, and the
 * chunk stays in cache while the block's rows use it. The k kept distances are then recomputed directly in
 * double precision, so rounding in the shortcut only matters for near-ties. Rows run in parallel; each row's
 * result depends on nothing else, so the graph is the same on any number of cores.
 *
 * @param k neighbours per point
 * @param neighbors row i holds point i's neighbours, nearest first (ties by index), at [i*k, (i+1)*k)
 * @param distances the matching squared Euclidean distances
 */
public record NeighborGraph(int n, int k, int[] neighbors, double[] distances) {
  private static final int ROW_BLOCK = 8;
  private static final int COLUMN_CHUNK = 1024;

  /**
   * The k nearest other points of each of the n points stored row-major in {@code x} (n x d).
   *
   * @throws IllegalArgumentException when k is not in [1, n-1]
   * @throws java.util.concurrent.CancellationException when {@code cancelled} turns true
   */
  public static NeighborGraph build(float[] x, int n, int d, int k, BooleanSupplier cancelled) {
    if (k < 1 || k >= n) throw new IllegalArgumentException("need 1 <= k < n for a neighbour graph, got k " + k + " for " + n + " points");
    if (x.length != (long) n * d) throw new IllegalArgumentException(x.length + " values are not " + n + " x " + d);
    // The points again, a chunk at a time and transposed: chunks[c][p][j] is coordinate p of point c * CHUNK + j.
    float[][][] chunks = new float[(n + COLUMN_CHUNK - 1) / COLUMN_CHUNK][d][];
    for (int c = 0; c < chunks.length; c++) {
      int len = Math.min(COLUMN_CHUNK, n - c * COLUMN_CHUNK);
      for (int p = 0; p < d; p++) chunks[c][p] = new float[len];
    }
    float[] norms = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int p = 0; p < d; p++) {
        float v = x[i * d + p];
        chunks[i / COLUMN_CHUNK][p][i % COLUMN_CHUNK] = v;
        s += v * v;
      }
      norms[i] = (float) s;
    }
    int[] neighbors = new int[n * k];
    double[] distances = new double[n * k];
    int blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
    IntStream.range(0, blocks).parallel().forEach(b -> {
      if (cancelled.getAsBoolean()) throw new java.util.concurrent.CancellationException("cancelled");
      nearestOfBlock(x, chunks, norms, n, d, k, b * ROW_BLOCK, Math.min(n, (b + 1) * ROW_BLOCK), neighbors, distances);
    });
    return new NeighborGraph(n, k, neighbors, distances);
  }

  /** The j-th neighbour of point i. */
  public int neighbor(int i, int j) {
    return neighbors[i * k + j];
  }

  /** The squared distance from point i to its j-th neighbour. */
  public double distance(int i, int j) {
    return distances[i * k + j];
  }

  private static void nearestOfBlock(float[] x, float[][][] chunks, float[] norms, int n, int d, int k, int from,
      int to, int[] neighbors, double[] distances) {
    int rows = to - from;
    float[][] dots = new float[rows][COLUMN_CHUNK];
    TopK[] best = new TopK[rows];
    for (int r = 0; r < rows; r++) best[r] = new TopK(k);
    for (int c0 = 0; c0 < n; c0 += COLUMN_CHUNK) {
      int len = Math.min(COLUMN_CHUNK, n - c0);
      float[][] chunk = chunks[c0 / COLUMN_CHUNK];
      for (float[] row : dots) Arrays.fill(row, 0, len, 0f);
      for (int p = 0; p < d; p++) {
        float[] coordinate = chunk[p];
        for (int r = 0; r < rows; r++) {
          float a = x[(from + r) * d + p];
          float[] dot = dots[r];
          // Both arrays indexed by j alone: the form the JIT vectorizes.
          for (int j = 0; j < len; j++) dot[j] += a * coordinate[j];
        }
      }
      for (int r = 0; r < rows; r++) {
        int i = from + r;
        float[] dot = dots[r];
        TopK top = best[r];
        for (int j = 0; j < len; j++) {
          int other = c0 + j;
          if (other == i) continue;
          float dist = norms[i] + norms[other] - 2 * dot[j];
          if (dist < top.worst()) top.offer(Math.max(0f, dist), other);
        }
      }
    }
    for (int r = 0; r < rows; r++) {
      int i = from + r;
      int[] ids = best[r].indices();
      double[] exact = new double[ids.length];
      for (int j = 0; j < ids.length; j++) exact[j] = squaredDistance(x, i, ids[j], d);
      Integer[] order = new Integer[ids.length];
      for (int j = 0; j < order.length; j++) order[j] = j;
      Arrays.sort(order, (a, b) -> exact[a] != exact[b] ? Double.compare(exact[a], exact[b]) : Integer.compare(ids[a], ids[b]));
      for (int j = 0; j < k; j++) {
        neighbors[i * k + j] = ids[order[j]];
        distances[i * k + j] = exact[order[j]];
      }
    }
  }

  static double squaredDistance(float[] x, int i, int j, int d) {
    double s = 0;
    for (int p = 0; p < d; p++) {
      double diff = (double) x[i * d + p] - x[j * d + p];
      s += diff * diff;
    }
    return s;
  }

  /**
   * The k smallest values offered so far with their ids: a max-heap, so the worst kept value is at the root and a
   * candidate is rejected with one comparison. An equal value does not displace a kept one, so earlier (smaller)
   * ids win ties.
   */
  static final class TopK {
    private final float[] values;
    private final int[] ids;
    private int size;

    TopK(int k) {
      values = new float[k];
      ids = new int[k];
    }

    float worst() {
      return size < values.length ? Float.POSITIVE_INFINITY : values[0];
    }

    void offer(float value, int id) {
      if (size < values.length) {
        int at = size++;
        while (at > 0) {
          int parent = (at - 1) / 2;
          if (values[parent] >= value) break;
          values[at] = values[parent];
          ids[at] = ids[parent];
          at = parent;
        }
        values[at] = value;
        ids[at] = id;
        return;
      }
      if (!(value < values[0])) return;
      int at = 0;
      while (true) {
        int child = 2 * at + 1;
        if (child >= size) break;
        if (child + 1 < size && values[child + 1] > values[child]) child++;
        if (values[child] <= value) break;
        values[at] = values[child];
        ids[at] = ids[child];
        at = child;
      }
      values[at] = value;
      ids[at] = id;
    }

    int[] indices() {
      return Arrays.copyOf(ids, size);
    }
  }
}
