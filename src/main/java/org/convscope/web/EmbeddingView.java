package org.convscope.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.embed.ClassOverlap;
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

  EmbeddingView(Workspace ws, ResultCache cache, ExplorerOptions options) {
    this.ws = ws;
    this.cache = cache;
    this.options = options;
  }

  Job job() {
    Dataset data = ws.data();
    int n = Math.min(options.embeddingPoints(), data.size());
    TsneOptions tsne = TsneOptions.defaults().withPerplexity(Math.min(30, (n - 1) / 3.0));
    String key = ResultCache.key(ws.modelHash(), "embedding", String.valueOf(n), tsne.toString());
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
      float[] x = new float[n * d];
      double[] xd = new double[n * d];
      for (int i = 0; i < n; i++) {
        System.arraycopy(vectors.get(i), 0, x, i * d, d);
        for (int j = 0; j < d; j++) xd[i * d + j] = x[i * d + j];
      }
      Tsne.Result map = Tsne.fit(xd, n, d, tsne, (iteration, kl) -> job.progress("t-SNE", iteration, tsne.iterations()), job::cancelled);
      job.progress("neighbours", 0, 1);
      NeighborGraph features = NeighborGraph.build(x, n, d, Math.min(NEIGHBORS, n - 1), job::cancelled);
      Batch all = data.batch(order);
      float[] pixels = all.images().data();
      NeighborGraph pixelGraph = NeighborGraph.build(pixels, n, pixels.length / n, Math.min(NEIGHBORS, n - 1), job::cancelled);

      int[] labels = new int[n];
      for (int i = 0; i < n; i++) labels[i] = data.label(i);
      List<String> classes = classNames(data);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("layer", extractor.layer());
      json.put("classes", classes);
      json.put("kl_divergence", map.klDivergence());
      List<Map<String, Object>> points = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("i", i);
        p.put("x", map.x(i));
        p.put("y", map.y(i));
        p.put("label", labels[i]);
        p.put("predicted", predicted[i]);
        p.put("features", row(features, i));
        p.put("pixels", row(pixelGraph, i));
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
      return Map.of("json", Analyses.JSON.writeValueAsBytes(json));
    });
  }

  private List<String> classNames(Dataset data) {
    List<String> names = new ArrayList<>(ws.model().classNames());
    int max = -1;
    for (int i = 0; i < data.size(); i++) max = Math.max(max, data.label(i));
    for (int k = names.size(); k <= max; k++) names.add("class " + k);
    return names;
  }

  private static int[] row(NeighborGraph graph, int i) {
    int[] out = new int[graph.k()];
    for (int j = 0; j < graph.k(); j++) out[j] = graph.neighbor(i, j);
    return out;
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
    sb.append("<p class=\"summary\">t-SNE of the first ").append(points.size()).append(" images in the features of ")
        .append(Pages.esc(String.valueOf(json.get("layer")))).append(String.format(" (KL divergence %.3f). ", ((Number) json.get("kl_divergence")).doubleValue()))
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
