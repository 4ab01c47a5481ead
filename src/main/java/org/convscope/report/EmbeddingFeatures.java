package org.convscope.report;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.convscope.embed.FeatureExtractor;
import org.convscope.embed.FeatureOptions;
import org.convscope.embed.Metric;

/**
 * The features the embedding sections share, kept in memory (no feature database): the input of the model's
 * final linear layer, average-pooled, for the report's first {@value #MAX_IMAGES} images, scaled to unit length so
 * that Euclidean neighbours are cosine neighbours. Extracted once per report, on first use.
 */
final class EmbeddingFeatures {
  /** The demo's shipped test images; larger datasets are cut here to keep the sections to seconds. */
  static final int MAX_IMAGES = 2000;

  /**
   * @param vectors n x d, row-major, unit length
   * @param labels per image, -1 when unlabelled
   * @param layer the layer the features come from, for captions
   */
  record Computed(int n, int d, float[] vectors, int[] labels, List<String> classNames, String layer) {
    boolean labelled() {
      return Arrays.stream(labels).anyMatch(l -> l >= 0);
    }
  }

  private ReportContext computedFor;
  private Computed computed;

  /** The features of this report's images, extracted on the first call. */
  synchronized Computed of(ReportContext context) throws IOException {
    if (context != computedFor) {
      computed = extract(context);
      computedFor = context;
    }
    return computed;
  }

  private static Computed extract(ReportContext c) throws IOException {
    int n = Math.min(MAX_IMAGES, c.data().size());
    if (n < 3) throw new IllegalArgumentException("the embedding sections need at least 3 images, not " + n);
    FeatureExtractor extractor = new FeatureExtractor(c.model(), FeatureOptions.defaults());
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    float[][] rows = new float[n][];
    int[] labels = new int[n];
    int[] at = {0};
    extractor.extract(c.data(), order, (batch, features) -> {
      for (int b = 0; b < batch.size(); b++) {
        rows[at[0]] = Metric.COSINE.prepare(features.vectors()[b]);
        labels[at[0]++] = batch.labels()[b];
      }
    }, () -> false);
    int d = rows[0].length;
    float[] vectors = new float[n * d];
    for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, vectors, i * d, d);
    List<String> names = c.model().classNames().isEmpty() ? c.data().classNames() : c.model().classNames();
    return new Computed(n, d, vectors, labels, names, extractor.layer());
  }

  /** The k rows of {@code x} (n x d, unit length) nearest to row {@code query} by cosine distance, nearest first, with the distances. */
  static int[] nearest(float[] x, int n, int d, int query, int k, double[] distances) {
    double[] distance = new double[n];
    for (int j = 0; j < n; j++) {
      double dot = 0;
      for (int p = 0; p < d; p++) dot += (double) x[query * d + p] * x[j * d + p];
      distance[j] = j == query ? Double.POSITIVE_INFINITY : Math.max(0, 1 - dot);
    }
    Integer[] order = new Integer[n];
    Arrays.setAll(order, j -> j);
    Arrays.sort(order, (a, b) -> distance[a] != distance[b] ? Double.compare(distance[a], distance[b]) : Integer.compare(a, b));
    int[] out = new int[k];
    for (int r = 0; r < k; r++) {
      out[r] = order[r];
      distances[r] = distance[order[r]];
    }
    return out;
  }
}
