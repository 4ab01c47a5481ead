package org.convscope.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureDatabaseTest {
  @TempDir
  Path temp;

  private static Space space(String tensor, Metric metric, int dimension) {
    return Space.of("abc123", "model.onnx", "/models/model.onnx", tensor, tensor, Pooling.AVG, metric, dimension);
  }

  private static DatasetInfo data(String spec) {
    return new DatasetInfo(spec, 1_000_000, 1, 8, 8, List.of("a", "b", "c"));
  }

  /** Gaussian clusters: what features look like, and a case HNSW must get right. */
  private static float[][] clustered(int n, int d, long seed) {
    Random random = new Random(seed);
    float[][] centres = new float[20][d];
    for (float[] c : centres) for (int p = 0; p < d; p++) c[p] = (float) random.nextGaussian();
    float[][] out = new float[n][d];
    for (int i = 0; i < n; i++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int p = 0; p < d; p++) out[i][p] = c[p] + 0.5f * (float) random.nextGaussian();
    }
    return out;
  }

  private static void fill(FeatureDatabase db, Space space, DatasetInfo dataset, float[][] vectors, int from) throws IOException {
    // The default commit interval: 10,000 vectors make one segment, one HNSW graph (several would raise recall).
    try (FeatureDatabase.Indexer indexer = db.indexer(space, dataset, FeatureDatabase.DEFAULT_COMMIT_EVERY)) {
      for (int i = 0; i < vectors.length; i++) indexer.add(vectors[i], new Item(dataset.spec(), from + i, null, (from + i) % 3, 0));
    }
  }

  /** Unit Gaussian vectors: no structure, the hard case for a graph index. */
  private static float[][] random(int n, int d, long seed) {
    Random random = new Random(seed);
    float[][] out = new float[n][d];
    for (float[] v : out) for (int p = 0; p < d; p++) v[p] = (float) random.nextGaussian();
    return out;
  }

  @Test
  void approximateSearchRecallsAtLeast95PercentOfTheExactTenNearest() throws IOException {
    // 10,000 indexed vectors and 100 queries from the same distribution, for each metric and kind of data.
    double clustered = recallAtTen(Metric.COSINE, clustered(10_100, 128, 1));
    assertTrue(clustered >= 0.95, "recall@10 on clustered vectors, cosine: " + clustered);
    double random = recallAtTen(Metric.EUCLIDEAN, random(10_100, 128, 2));
    assertTrue(random >= 0.95, "recall@10 on random vectors, Euclidean: " + random);
  }

  private double recallAtTen(Metric metric, float[][] vectors) throws IOException {
    Space space = space("features", metric, 128);
    try (FeatureDatabase db = FeatureDatabase.openOrCreate(temp.resolve("recall-" + metric))) {
      fill(db, space, data("set"), java.util.Arrays.copyOf(vectors, 10_000), 0);
      int found = 0;
      for (int q = 10_000; q < vectors.length; q++) {
        Set<Integer> exact = new HashSet<>();
        for (Neighbor n : db.search(space, vectors[q], FeatureDatabase.SearchOptions.exact(10))) exact.add(n.item().index());
        for (Neighbor n : db.search(space, vectors[q], FeatureDatabase.SearchOptions.approximate(10))) {
          if (exact.contains(n.item().index())) found++;
        }
      }
      return found / 1000.0;
    }
  }

  @Test
  void graphOptionsAreRecordedAndADenserGraphRecallsMore() throws IOException {
    // Random vectors and few candidates (20 for 10 neighbours), where the graph's quality shows in the recall.
    float[][] vectors = random(3_050, 64, 5);
    Space space = space("features", Metric.EUCLIDEAN, 64);
    double[] recall = new double[2];
    GraphOptions[] graphs = {new GraphOptions(4, 8), new GraphOptions(32, 200)};
    for (int g = 0; g < graphs.length; g++) {
      Path dir = temp.resolve("graph-" + g);
      try (FeatureDatabase db = FeatureDatabase.openOrCreate(dir)) {
        assertEquals(GraphOptions.defaults(), db.graphOptions(space), "nothing recorded yet");
        try (FeatureDatabase.Indexer indexer = db.indexer(space, data("set"), FeatureDatabase.DEFAULT_COMMIT_EVERY, graphs[g])) {
          for (int i = 0; i < 3_000; i++) indexer.add(vectors[i], new Item("set", i, null, 0, 0));
        }
      }
      try (FeatureDatabase db = FeatureDatabase.open(dir)) {
        assertEquals(graphs[g], db.graphOptions(space), "recorded for the space");
        int found = 0;
        for (int q = 3_000; q < vectors.length; q++) {
          Set<Integer> exact = new HashSet<>();
          for (Neighbor n : db.search(space, vectors[q], FeatureDatabase.SearchOptions.exact(10))) exact.add(n.item().index());
          for (Neighbor n : db.search(space, vectors[q], new FeatureDatabase.SearchOptions(10, 20, false))) {
            if (exact.contains(n.item().index())) found++;
          }
        }
        recall[g] = found / 500.0;
      }
    }
    assertTrue(recall[1] > recall[0] + 0.1, "recall@10 with M 4, beam 8: " + recall[0] + "; with M 32, beam 200: " + recall[1]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GraphOptions(1, 100));
    assertTrue(e.getMessage().contains("HNSW M must be in [2, 512], not 1"), e.getMessage());
  }

  @Test
  void exactSearchFindsTheBruteForceNeighboursWithTheirDistances() throws IOException {
    Space space = space("features", Metric.COSINE, 8);
    float[][] vectors = clustered(300, 8, 3);
    try (FeatureDatabase db = FeatureDatabase.openOrCreate(temp.resolve("exact"))) {
      fill(db, space, data("set"), vectors, 0);
      float[] q = clustered(1, 8, 4)[0];
      List<Neighbor> hits = db.search(space, q, FeatureDatabase.SearchOptions.exact(5));
      double[] distances = new double[vectors.length];
      Integer[] order = new Integer[vectors.length];
      for (int i = 0; i < vectors.length; i++) {
        distances[i] = 1 - cosine(q, vectors[i]);
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(distances[a], distances[b]));
      for (int r = 0; r < 5; r++) {
        assertEquals(order[r], hits.get(r).item().index(), "rank " + r);
        assertEquals(distances[order[r]], hits.get(r).distance(), 1e-6);
      }
      List<Neighbor> approximate = db.search(space, q, FeatureDatabase.SearchOptions.approximate(5));
      assertEquals(hits.get(0).item(), approximate.get(0).item());
      assertEquals(hits.get(0).distance(), approximate.get(0).distance(), 1e-6, "distances agree between the two searches");
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void reopenedDatabasesKeepTheirVectorsAndTakeMore() throws IOException {
    Path dir = temp.resolve("db");
    Space small = space("layer3", Metric.EUCLIDEAN, 4);
    Space wide = space("layer4", Metric.COSINE, 6);
    float[][] first = clustered(120, 4, 5);
    try (FeatureDatabase db = FeatureDatabase.openOrCreate(dir)) {
      fill(db, small, data("train"), first, 0);
    }
    float[][] more = clustered(40, 4, 6);
    try (FeatureDatabase db = FeatureDatabase.open(dir)) {
      assertEquals(List.of(small), db.spaces());
      assertEquals(120, db.count(small));
      assertEquals(data("train"), db.dataset("train").orElseThrow());
      List<FeatureDatabase.Entry> entries = db.entries(small);
      for (int i = 0; i < first.length; i++) assertArrayEquals(first[i], entries.get(i).vector(), "vector " + i);
      fill(db, small, data("test"), more, 0);
      fill(db, wide, data("test"), clustered(30, 6, 7), 0);
      assertEquals(160, db.count(small));
      assertEquals(30, db.count(wide));
    }
    try (FeatureDatabase db = FeatureDatabase.open(dir)) {
      assertEquals(2, db.spaces().size());
      assertEquals(160, db.count(small));
      assertEquals(List.of("test", "train"), db.entries(small).stream().map(e -> e.item().dataset()).distinct().toList());
      assertArrayEquals(more[7], db.find(small, "test", 7).orElseThrow().vector());
      assertTrue(db.find(small, "test", 40).isEmpty());
      assertEquals(40, db.indexed(small, "test").cardinality());
      // The spaces stay apart: a search of one never returns the other's vectors.
      for (Neighbor n : db.search(wide, new float[] {1, 0, 0, 0, 0, 0}, FeatureDatabase.SearchOptions.exact(50))) {
        assertEquals("test", n.item().dataset());
      }
      assertEquals(30, db.search(wide, new float[6], FeatureDatabase.SearchOptions.exact(50)).size());
    }
  }

  @Test
  void mismatchedDimensionsAndMissingDatabasesAreRefusedClearly() throws IOException {
    Path dir = temp.resolve("db");
    Space space = space("layer3", Metric.EUCLIDEAN, 4);
    try (FeatureDatabase db = FeatureDatabase.openOrCreate(dir)) {
      fill(db, space, data("train"), clustered(10, 4, 8), 0);
      IllegalArgumentException query = assertThrows(IllegalArgumentException.class,
          () -> db.search(space, new float[3], FeatureDatabase.SearchOptions.exact(1)));
      assertEquals("the query has 3 dimensions but the database holds 4-d vectors (layer layer3, avg pooling, euclidean, 4-d, of model.onnx)",
          query.getMessage());
      Space wider = space("layer3", Metric.EUCLIDEAN, 5);
      IllegalArgumentException add = assertThrows(IllegalArgumentException.class, () -> db.indexer(wider, data("x"), 10));
      assertTrue(add.getMessage().contains("holds 4-d vectors"), add.getMessage());
    }
    IOException none = assertThrows(IOException.class, () -> FeatureDatabase.open(temp.resolve("nothing")));
    assertTrue(none.getMessage().endsWith("no feature database there; make one with convscope embed"), none.getMessage());
    Files.createDirectories(temp.resolve("other"));
    Files.writeString(temp.resolve("other/notes.txt"), "hello");
    IOException other = assertThrows(IOException.class, () -> FeatureDatabase.openOrCreate(temp.resolve("other")));
    assertTrue(other.getMessage().contains("holds other files"), other.getMessage());
  }

  @Test
  void aKilledIndexingProcessLeavesItsCommittedVectorsInAnIndexThatOpens() throws Exception {
    Path dir = temp.resolve("killed");
    int commitEvery = 500;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), IndexingChild.class.getName(),
        dir.toString(), String.valueOf(commitEvery)).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        if (line.equals("committed 3000")) break;
      }
      child.destroyForcibly(); // SIGKILL, in the middle of the next 500
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child died");
    }
    assertTrue(lines.contains("committed 3000"), "the child got as far as 3000: " + lines);

    try (FeatureDatabase db = FeatureDatabase.open(dir)) {
      Space space = IndexingChild.SPACE;
      int count = db.count(space);
      assertTrue(count >= 3000 && count % commitEvery == 0, "whole commits survive: " + count);
      List<FeatureDatabase.Entry> entries = db.entries(space);
      for (int i = 0; i < count; i++) {
        assertEquals(i, entries.get(i).item().index());
        assertArrayEquals(IndexingChild.vector(i), entries.get(i).vector());
      }
      try (FeatureDatabase.Indexer more = db.indexer(space, IndexingChild.DATA, 100)) {
        more.add(IndexingChild.vector(count), new Item("endless", count, null, 0, 0));
      }
      assertEquals(count + 1, db.count(space));
      assertFalse(db.search(space, IndexingChild.vector(5), FeatureDatabase.SearchOptions.approximate(1)).isEmpty());
    }
  }
}
