package org.convscope.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.embed.Metric;

/**
 * The nearest dataset images in raw pixel space of many query images at once, by brute force over the whole
 * dataset in one pass: what {@link org.convscope.embed.PixelNeighbors#search} gives for each query, with the
 * same distances and ties (lower index first), without reading the dataset once per query.
 */
final class PixelSearch {
  /** Images read per step of the pass. */
  static final int BATCH = 512;

  private PixelSearch() {}

  /**
   * The k nearest images of each query, nearest first; a query (a dataset index) is not its own neighbour.
   *
   * @param progress told how many dataset images have been compared so far, of how many
   * @return for each query, its neighbours' indices ({@code [q][0..k)}); distances in {@code distances[q][j]}
   */
  static Result nearest(Dataset data, int[] queries, int k, Metric metric, Progress progress, BooleanSupplier cancelled)
      throws IOException {
    int n = queries.length;
    int size = data.channels() * data.height() * data.width();
    int kk = Math.min(k, data.size() - 1);
    if (kk < 1) throw new IllegalArgumentException("pixel neighbours need at least 2 images, the dataset has " + data.size());
    float[][] query = new float[n][];
    float[] all = data.batch(queries).images().data();
    for (int q = 0; q < n; q++) query[q] = metric.prepare(Arrays.copyOfRange(all, q * size, (q + 1) * size));
    int[][] index = new int[n][kk];
    double[][] distance = new double[n][kk];
    for (double[] row : distance) Arrays.fill(row, Double.POSITIVE_INFINITY);
    for (int[] row : index) Arrays.fill(row, -1);
    long seen = 0;
    try {
      for (Batch batch : data.batches(BATCH)) {
        if (cancelled.getAsBoolean()) throw new CancellationException("pixel search cancelled");
        float[] pixels = batch.images().data();
        float[][] images = new float[batch.size()][];
        for (int b = 0; b < batch.size(); b++) images[b] = metric.prepare(Arrays.copyOfRange(pixels, b * size, (b + 1) * size));
        int[] indices = batch.indices();
        // Each query keeps its own list, so queries run in parallel; within a query, images come in index order.
        IntStream.range(0, n).parallel().forEach(q -> {
          for (int b = 0; b < images.length; b++) {
            if (indices[b] != queries[q]) insert(index[q], distance[q], indices[b], metric.distance(query[q], images[b]));
          }
        });
        seen += batch.size();
        progress.update(seen, data.size());
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return new Result(index, distance);
  }

  /**
   * Puts image {@code i} at distance {@code d} into a query's sorted list, if it is nearer than the last. Images
   * arrive in increasing index order, so an image at the same distance as one listed goes after it.
   */
  private static void insert(int[] index, double[] distance, int i, double d) {
    int last = index.length - 1;
    if (!(d < distance[last])) return;
    int at = last;
    while (at > 0 && distance[at - 1] > d) {
      distance[at] = distance[at - 1];
      index[at] = index[at - 1];
      at--;
    }
    distance[at] = d;
    index[at] = i;
  }

  @FunctionalInterface
  interface Progress {
    void update(long done, long total);
  }

  /** Neighbours by query: {@code index[q][j]} is the j-th nearest image of query q, at {@code distance[q][j]}. */
  record Result(int[][] index, double[][] distance) {}
}
