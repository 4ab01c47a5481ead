package org.convscope.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.convscope.data.Dataset;
import org.convscope.data.InMemoryDataset;
import org.convscope.embed.DatasetInfo;
import org.convscope.embed.FeatureDatabase;
import org.convscope.embed.FeatureExtractor;
import org.convscope.embed.FeatureOptions;
import org.convscope.embed.Item;
import org.convscope.embed.Metric;
import org.convscope.embed.Neighbor;
import org.convscope.embed.PixelNeighbors;
import org.convscope.embed.Space;
import org.convscope.model.Model;
import org.convscope.report.Demo;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code serve --db}: the embedding page over a feature database of the demo model's 2,000 images, built here
 * as {@code convscope embed} builds one; the map holds 300 of them, and neighbours come from all 2,000.
 */
class ExplorerDatabaseTest {
  private static final String SPEC = "demo-images";
  private static Path dir;
  private static Path modelFile;
  private static Model model;
  private static Dataset data;
  private static Space space;
  /** The database's vectors by dataset index, as stored (unit length: a cosine space). */
  private static float[][] stored;

  @BeforeAll
  static void buildDatabase() throws IOException {
    dir = Files.createTempDirectory("convscope-explorer-db-test");
    modelFile = Demo.extractModel(dir.resolve("model"));
    model = Model.load(modelFile);
    data = Demo.data();
    FeatureExtractor extractor = new FeatureExtractor(model, FeatureOptions.defaults());
    int d = extractor.dimension(data);
    space = Space.of(Space.hashFile(modelFile), modelFile.getFileName().toString(), modelFile.toString(), extractor.layer(),
        extractor.tensor(), FeatureOptions.defaults().pooling(), Metric.COSINE, d);
    stored = new float[data.size()][];
    try (FeatureDatabase db = FeatureDatabase.openOrCreate(dir.resolve("db"));
        FeatureDatabase.Indexer indexer = db.indexer(space, new DatasetInfo(SPEC, data.size(), data.channels(), data.height(),
            data.width(), data.classNames()), 1000)) {
      extractor.extract(data, IntStream.range(0, data.size()).toArray(), (batch, features) -> {
        for (int i = 0; i < batch.size(); i++) {
          int index = batch.indices()[i];
          stored[index] = Metric.COSINE.prepare(features.vectors()[i]);
          indexer.add(features.vectors()[i], new Item(SPEC, index, null, batch.labels()[i], features.predicted()[i]));
        }
      }, () -> false);
    }
  }

  @AfterAll
  static void clean() throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void theMapTakesFeatureNeighboursFromTheDatabaseAndPixelNeighboursFromTheWholeDataset() throws Exception {
    Workspace ws = new Workspace(modelFile, model, data, dir.resolve("uploads"));
    ExplorerOptions options = ExplorerOptions.defaults(dir.resolve("cache")).withPort(0).withWork(4, 2, 16, 300);
    Explorer explorer = Explorer.start(ws, options, FeatureStore.open(dir.resolve("db"), model, ws.modelHash()));
    try {
      ExplorerClient client = new ExplorerClient(explorer);
      String body = client.pageAfterJobs("/embedding");
      assertTrue(body.contains("of the 2,000 vectors of " + dir.resolve("db")), body);
      assertTrue(body.contains("searched over the whole database"), body);
      Matcher src = Pattern.compile("data-src=\"(/cache/[0-9a-f]{32}\\.json)\"").matcher(body);
      assertTrue(src.find(), body);
      Map<String, Object> map = client.json(src.group(1));
      List<?> points = (List<?>) map.get("points");
      assertEquals(300, points.size());
      assertEquals("cosine", map.get("pixel_metric"));
      int beyondMap = 0;
      int agree = 0;
      for (int i : new int[] {0, 42, 150, 299}) {
        Map<?, ?> p = (Map<?, ?>) points.get(i);
        assertEquals(i, ((Number) p.get("i")).intValue());
        assertEquals(data.label(i), ((Number) p.get("label")).intValue());
        // Feature space: the database's HNSW search against an exact scan of all 2,000 stored vectors.
        List<?> features = (List<?>) p.get("features");
        assertEquals(EmbeddingView.NEIGHBORS, features.size());
        Integer[] exact = IntStream.range(0, data.size()).filter(j -> j != i).boxed().toArray(Integer[]::new);
        Arrays.sort(exact, Comparator.comparingDouble((Integer j) -> Metric.COSINE.distance(stored[i], stored[j])).thenComparingInt(j -> j));
        List<Integer> exactTop = Arrays.asList(exact).subList(0, EmbeddingView.NEIGHBORS);
        for (Object o : features) {
          Map<?, ?> n = (Map<?, ?>) o;
          int j = ((Number) n.get("i")).intValue();
          assertTrue(j != i, "a point is not its own neighbour");
          assertEquals(Metric.COSINE.distance(stored[i], stored[j]), ((Number) n.get("d")).doubleValue(), 1e-5);
          assertEquals(data.label(j), ((Number) n.get("label")).intValue());
          if (j >= 300) beyondMap++;
          if (exactTop.contains(j)) agree++;
        }
        // Pixel space: the library's brute force over the whole dataset, same order and distances.
        float[] pixels = data.batch(new int[] {i}).images().data();
        List<Neighbor> brute = PixelNeighbors.search(data, SPEC, pixels, EmbeddingView.NEIGHBORS, Metric.COSINE, i, () -> false);
        List<?> pixelNeighbours = (List<?>) p.get("pixels");
        for (int k = 0; k < brute.size(); k++) {
          Map<?, ?> n = (Map<?, ?>) pixelNeighbours.get(k);
          assertEquals(brute.get(k).item().index(), ((Number) n.get("i")).intValue(), "point " + i + " pixel neighbour " + k);
          assertEquals(brute.get(k).distance(), ((Number) n.get("d")).doubleValue(), 1e-12);
        }
      }
      assertTrue(beyondMap > 0, "feature neighbours come from the whole database, not just the 300 points on the map");
      assertTrue(agree >= 4 * EmbeddingView.NEIGHBORS - 2, "HNSW finds the exact neighbours: " + agree + " of 32");
    } finally {
      explorer.close();
    }
  }

  @Test
  void aDatabaseOfAnotherModelAnEmptyOneOrAnotherDatasetIsRefusedWithOneLine() throws Exception {
    String hash = Space.hashFile(modelFile);
    Path empty = dir.resolve("empty");
    FeatureDatabase.openOrCreate(empty).close();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureStore.open(empty, model, hash));
    assertEquals(empty + " holds no feature vectors yet; add some with convscope embed", e.getMessage());

    Path other = dir.resolve("other");
    Space foreign = Space.of("0".repeat(64), "other.onnx", "/nowhere/other.onnx", "fc", "fc_in", space.pooling(), Metric.COSINE, 3);
    try (FeatureDatabase db = FeatureDatabase.openOrCreate(other);
        FeatureDatabase.Indexer indexer = db.indexer(foreign, new DatasetInfo("x", 1, 1, 28, 28, List.of()), 10)) {
      indexer.add(new float[] {1, 2, 3}, new Item("x", 0, null, -1, 0));
    }
    e = assertThrows(IllegalArgumentException.class, () -> FeatureStore.open(other, model, hash));
    assertTrue(e.getMessage().startsWith(other + " holds features of other.onnx, not of "), e.getMessage());

    Path notADatabase = Files.createDirectories(dir.resolve("files"));
    Files.writeString(notADatabase.resolve("notes.txt"), "hello");
    IOException io = assertThrows(IOException.class, () -> FeatureStore.open(notADatabase, model, hash));
    assertEquals(notADatabase + " is not a feature database; make one with convscope embed", io.getMessage());

    try (FeatureStore store = FeatureStore.open(dir.resolve("db"), model, hash)) {
      Dataset fewer = new InMemoryDataset("fewer", data.batch(IntStream.range(0, 100).toArray()).images(),
          IntStream.range(0, 100).map(data::label).toArray(), data.classNames());
      e = assertThrows(IllegalArgumentException.class, () -> store.check(fewer));
      assertTrue(e.getMessage().contains("it has 100 images, the database's had 2000"), e.getMessage());
      int[] shifted = IntStream.range(0, data.size()).map(i -> data.label((i + 1) % data.size())).toArray();
      Dataset relabelled = new InMemoryDataset("relabelled", data.batch(IntStream.range(0, data.size()).toArray()).images(), shifted,
          data.classNames());
      e = assertThrows(IllegalArgumentException.class, () -> store.check(relabelled));
      assertTrue(e.getMessage().startsWith("relabelled is not the dataset " + dir.resolve("db") + " was made from"), e.getMessage());
    }
  }
}
