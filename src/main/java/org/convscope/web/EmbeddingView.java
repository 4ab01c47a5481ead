package org.convscope.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.data.Dataset;
import org.convscope.embed.ClassOverlap;
import org.convscope.embed.FeatureDatabase;
import org.convscope.embed.Neighbor;
import org.convscope.embed.FeatureExtractor;
import org.convscope.embed.FeatureOptions;
import org.convscope.embed.NeighborGraph;
import org.convscope.embed.Tsne;
import org.convscope.embed.TsneOptions;

/**
 * /embedding: the t-SNE map of the first images of the dataset in the feature space the classifier reads (the
 * input of its final linear layer), with each point's nearest neighbours in feature space and in pixel space,
 * and the classes whose neighbourhoods mix most. One background job computes it all; explorer.js draws it.
 */
final class EmbeddingView {
  /** Neighbours listed per point, and the neighbourhood size of the class overlap. */
  static final int NEIGHBORS = 8;
  static final int OVERLAP_K = 10;

  private final Workspace ws;
  private final ResultCache cache;
  private final ExplorerOptions options;
  /** The database of serve --db, or null. */
  private final FeatureStore store;

  EmbeddingView(Workspace ws, ResultCache cache, ExplorerOptions options, FeatureStore store) {
    this.ws = ws;
    this.cache = cache;
    this.options = options;
    this.store = store;
  }

  Job job() throws java.io.IOException {
    return store != null ? databaseJob() : datasetJob();
  }

  /** Without a database: the features of the first images, extracted here; feature neighbours among them. */
  private Job datasetJob() {
    Dataset data = ws.data();
    int n = Math.min(options.embeddingPoints(), data.size());
    TsneOptions tsne = tsneOptions(n);
    String key = ResultCache.key(ws.modelHash(), "embedding", String.valueOf(n), tsne.toString(), "pixels-whole-dataset");
    return cache.submit(key, "t-SNE of " + n + " images", job -> {
      FeatureExtractor extractor = new FeatureExtractor(ws.model(), FeatureOptions.defaults());
      int[] order = new int[n];
      for (int i = 0; i < n; i++) order[i] = i;
      List<float[]> vectors = new ArrayList<>();
      int[] predicted = new int[n];
      extractor.extract(data, order, (batch, features) -> {
        for (int i = 0; i < batch.size(); i++) {
          predicted[vectors.size()] = features.predicted()[i];
          vectors.add(features.vectors()[i]);
        }
        job.progress("features", vectors.size(), n);
      }, job::cancelled);
      int d = vectors.get(0).length;
      float[] x = matrix(vectors, d);
      job.progress("feature neighbours", 0, 1);
      NeighborGraph graph = NeighborGraph.build(x, n, d, Math.min(NEIGHBORS, n - 1), job::cancelled);
      List<List<Map<String, Object>>> features = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<Map<String, Object>> row = new ArrayList<>();
        for (int j = 0; j < graph.k(); j++) row.add(neighbour(graph.neighbor(i, j), data.label(graph.neighbor(i, j)), graph.distance(i, j)));
        features.add(row);
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("layer", extractor.layer());
      json.put("source", "the first " + n + " images of " + data.name());
      return Map.of("json", map(job, json, order, predicted, x, d, features, org.convscope.embed.Metric.EUCLIDEAN, tsne));
    });
  }

  /** With a database: its first vectors mapped; feature neighbours searched over every vector it holds. */
  private Job databaseJob() throws java.io.IOException {
    Dataset data = ws.data();
    int n = Math.min(options.embeddingPoints(), store.count());
    TsneOptions tsne = tsneOptions(n);
    String key = ResultCache.key(ws.modelHash(), "embedding-db", store.space().id(), store.datasetSpec(), String.valueOf(store.count()),
        String.valueOf(n), tsne.toString());
    return cache.submit(key, "t-SNE of " + n + " vectors of " + store.path().getFileName(), job -> {
      List<FeatureDatabase.Entry> entries = store.first(n);
      int m = entries.size();
      if (m < 3) throw new IllegalArgumentException(store.path() + " holds " + m + " vectors of " + data.name() + "; a map needs at least 3");
      int d = store.space().dimension();
      int[] order = new int[m];
      int[] predicted = new int[m];
      List<float[]> vectors = new ArrayList<>();
      List<List<Map<String, Object>>> features = new ArrayList<>();
      for (int i = 0; i < m; i++) {
        FeatureDatabase.Entry e = entries.get(i);
        order[i] = e.item().index();
        predicted[i] = e.item().predicted();
        vectors.add(e.vector());
        if (job.cancelled()) throw new java.util.concurrent.CancellationException("cancelled");
        List<Map<String, Object>> row = new ArrayList<>();
        for (Neighbor nb : store.neighbours(e.vector(), e.item().index(), NEIGHBORS)) {
          row.add(neighbour(nb.item().index(), nb.item().label(), nb.distance()));
        }
        features.add(row);
        job.progress("feature neighbours", i + 1, m);
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("layer", store.space().layer());
      json.put("source", String.format("the first %,d of the %,d vectors of %s (%s)", m, store.count(), store.path(), store.space().describe()));
      return Map.of("json", map(job, json, order, predicted, matrix(vectors, d), d, features, store.metric(), tsne));
    });
  }

  private static TsneOptions tsneOptions(int n) {
    return TsneOptions.defaults().withPerplexity(Math.min(30, (n - 1) / 3.0));
  }

  private static float[] matrix(List<float[]> vectors, int d) {
    float[] x = new float[vectors.size() * d];
    for (int i = 0; i < vectors.size(); i++) System.arraycopy(vectors.get(i), 0, x, i * d, d);
    return x;
  }

  private static Map<String, Object> neighbour(int index, int label, double distance) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("i", index);
    m.put("label", label);
    m.put("d", distance);
    return m;
  }

  /**
   * The map's JSON: t-SNE of the n feature vectors {@code x} (dataset images {@code order}), each point with its
   * feature neighbours as given and its pixel neighbours over the whole dataset, and the class overlap.
   */
  private byte[] map(Job job, Map<String, Object> json, int[] order, int[] predicted, float[] x, int d,
      List<List<Map<String, Object>>> features, org.convscope.embed.Metric pixelMetric, TsneOptions tsne) throws Exception {
    Dataset data = ws.data();
    int n = order.length;
    double[] xd = new double[n * d];
    for (int i = 0; i < xd.length; i++) xd[i] = x[i];
    Tsne.Result map = Tsne.fit(xd, n, d, tsne, (iteration, kl) -> job.progress("t-SNE", iteration, tsne.iterations()), job::cancelled);
    PixelSearch.Result pixels = PixelSearch.nearest(data, order, NEIGHBORS, pixelMetric,
        (done, total) -> job.progress("pixel neighbours over the dataset", done, total), job::cancelled);

    int[] labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = data.label(order[i]);
    List<String> classes = classNames(data);
    json.put("classes", classes);
    json.put("kl_divergence", map.klDivergence());
    json.put("pixel_metric", pixelMetric.toString());
    List<Map<String, Object>> points = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("i", order[i]);
      p.put("x", map.x(i));
      p.put("y", map.y(i));
      p.put("label", labels[i]);
      p.put("predicted", predicted[i]);
      p.put("features", features.get(i));
      List<Map<String, Object>> row = new ArrayList<>();
      for (int j = 0; j < pixels.index()[i].length; j++) {
        int other = pixels.index()[i][j];
        row.add(neighbour(other, data.label(other), pixels.distance()[i][j]));
      }
      p.put("pixels", row);
      points.add(p);
    }
    json.put("points", points);
    List<Map<String, Object>> pairs = new ArrayList<>();
    if (!classes.isEmpty() && java.util.Arrays.stream(labels).anyMatch(l -> l >= 0)) {
      ClassOverlap overlap = ClassOverlap.compute(NeighborGraph.build(x, n, d, Math.min(OVERLAP_K, n - 1), job::cancelled), labels, classes);
      for (ClassOverlap.Pair pair : overlap.pairs()) {
        pairs.add(Map.of("first", classes.get(pair.first()), "second", classes.get(pair.second()), "mixing", pair.mixing()));
      }
    }
    json.put("overlap", pairs);
    return Analyses.JSON.writeValueAsBytes(json);
  }

  private List<String> classNames(Dataset data) {
    List<String> names = new ArrayList<>(ws.model().classNames());
    int max = -1;
    for (int i = 0; i < data.size(); i++) max = Math.max(max, data.label(i));
    for (int k = names.size(); k <= max; k++) names.add("class " + k);
    return names;
  }

  String page() throws Exception {
    if (!ws.hasData()) return Pages.page("Embedding", "<p>Start the explorer with --data to map the dataset's images.</p>");
    Job job = job();
    StringBuilder sb = new StringBuilder();
    if (job.state() != Job.State.DONE) {
      sb.append(Pages.jobPanel(job));
      return Pages.page("Embedding", sb.toString());
    }
    Map<String, Object> json = Analyses.JSON.readValue(cache.read(job.key(), "json"), Map.class);
    List<?> points = (List<?>) json.get("points");
    sb.append("<p class=\"summary\">t-SNE of ").append(Pages.esc(String.valueOf(json.get("source")))).append(", in the features of ")
        .append(Pages.esc(String.valueOf(json.get("layer")))).append(String.format(" (KL divergence %.3f). ", ((Number) json.get("kl_divergence")).doubleValue()))
        .append(store != null ? "Neighbours in feature space are searched over the whole database"
            : "Neighbours in feature space are among the points on the map")
        .append(String.format(", in pixel space over all %,d images of the dataset (%s distance). ", ws.data().size(), json.get("pixel_metric")))
        .append("Hover a point for its image, click it for its neighbours, drag a box to zoom, double-click to zoom out; "
            + "the legend turns classes on and off.</p><div class=\"columns\"><section><div id=\"tsne\" data-src=\"")
        .append(ResultCache.url(job.key(), "json")).append("\"></div><div id=\"legend\"></div></section>"
            + "<section><h2>Neighbours</h2><div id=\"neighbours\"><p>Click a point.</p></div><h2>Class overlap</h2>"
            + "<p>Classes whose " + OVERLAP_K + "-NN neighbourhoods mix most.</p><table id=\"overlap\"><thead><tr><th>class</th><th>class</th>"
            + "<th>mixing</th></tr></thead><tbody>");
    List<?> pairs = (List<?>) json.get("overlap");
    for (Object o : pairs.subList(0, Math.min(10, pairs.size()))) {
      Map<?, ?> p = (Map<?, ?>) o;
      sb.append("<tr><td>").append(Pages.esc(String.valueOf(p.get("first")))).append("</td><td>")
          .append(Pages.esc(String.valueOf(p.get("second")))).append("</td><td class=\"num\">")
          .append(String.format("%.2f%%", 100 * ((Number) p.get("mixing")).doubleValue())).append("</td></tr>");
    }
    sb.append("</tbody></table></section></div>");
    return Pages.page("Embedding", sb.toString());
  }
}
