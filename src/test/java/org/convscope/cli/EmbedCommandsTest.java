package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.convscope.data.InMemoryDataset;
import org.convscope.embed.FeatureDatabase;
import org.convscope.engine.Graph;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.onnx.OnnxExporter;
import org.convscope.render.ImageOps;
import org.convscope.render.PngFiles;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.convscope.train.Architecture;
import org.convscope.train.TrainOptions;
import org.convscope.train.Trainer;
import org.convscope.train.TrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding commands end to end, on a tiny CNN trained here on a two-class problem it learns perfectly. */
class EmbedCommandsTest {
  private static final int N = 160;

  @TempDir
  static Path dir;
  static Path model;
  static Path otherModel;
  static String data;
  static Path db;
  static float[] images;

  /** Class 0: a bright 3x3 blob in the top half; class 1: in the bottom half; faint noise elsewhere. */
  @BeforeAll
  static void trainAndEmbed() throws IOException {
    Random r = new Random(1);
    images = new float[N * 144];
    long[] labels = new long[N];
    int[] intLabels = new int[N];
    for (int i = 0; i < N; i++) {
      intLabels[i] = i % 2;
      labels[i] = i % 2;
      int cy = labels[i] == 0 ? 2 + r.nextInt(3) : 7 + r.nextInt(3);
      int cx = 1 + r.nextInt(9);
      for (int y = 0; y < 12; y++) {
        for (int x = 0; x < 12; x++) {
          boolean blob = Math.abs(y - cy) <= 1 && Math.abs(x - cx) <= 1;
          images[i * 144 + y * 12 + x] = blob ? 1f : 0.2f * r.nextFloat();
        }
      }
    }
    Path imageFile = dir.resolve("images.npy");
    Path labelFile = dir.resolve("labels.npy");
    Npy.write(imageFile, Tensor.of(images, N, 1, 12, 12));
    Npy.write(labelFile, Tensor.ofLongs(labels, N));
    data = imageFile + "," + labelFile;

    model = dir.resolve("tiny.onnx");
    otherModel = dir.resolve("other.onnx");
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put(Model.CLASS_NAMES, Model.encodeClassNames(List.of("top", "bottom")));
    metadata.putAll(ModelPreprocessing.toMetadata(new Preprocessing(new Preprocessing.To(12, 12), 1, List.of(0.5f), List.of(0.5f))));
    Graph graph = Architecture.tiny(1, 12, 12, 2).build(1, metadata);
    TrainOptions options = new TrainOptions(6, 32, 0.01, "adam", 0, 3, false, new float[] {0.5f}, new float[] {0.5f});
    Trainer.fit(graph, new InMemoryDataset("blobs", Tensor.of(images, N, 1, 12, 12), intLabels, List.of("top", "bottom")), null,
        options, new TrainingListener() { }, (g, epoch) -> { }, () -> false);
    OnnxExporter.write(graph, model);
    OnnxExporter.write(Architecture.tiny(1, 12, 12, 2).build(2, metadata), otherModel);

    db = dir.resolve("db");
    Result embed = run("embed", model.toString(), "--data", data, "--db", db.toString(), "--commit-every", "50");
    assertEquals(0, embed.code, embed.err);
    assertTrue(embed.out.contains("embedded 160 images"), embed.out);
  }

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  /** Exit code 2 and one line on stderr. */
  private static String oneLineError(Result r) {
    assertEquals(2, r.code, "exit code; stdout: " + r.out + " stderr: " + r.err);
    String[] lines = r.err.strip().split("\n");
    assertEquals(1, lines.length, "one line: " + r.err);
    assertTrue(lines[0].startsWith("convscope: error: "), lines[0]);
    return lines[0];
  }

  @Test
  void embeddingAgainResumesAndAddsNothing() throws IOException {
    Result again = run("embed", model.toString(), "--data", data, "--db", db.toString());
    assertEquals(0, again.code, again.err);
    assertTrue(again.out.contains("160 of 160 images are already in"), again.out);
    assertTrue(again.out.contains("embedded 0 images") && again.out.contains("(160 vectors)"), again.out);
  }

  @Test
  void neighboursOfADatasetExampleAreOfItsClassAndSkipItself() throws IOException {
    Path png = dir.resolve("neighbours.png");
    Result r = run("neighbors", "--db", db.toString(), "--query-index", "3", "-k", "5", "--pixel", "--exact", "--out", png.toString(), "--json");
    assertEquals(0, r.code, r.err);
    JsonNode json = new ObjectMapper().readTree(r.out);
    assertEquals(3, json.get("query").get("index").asInt());
    JsonNode neighbours = json.get("neighbors");
    assertEquals(5, neighbours.size());
    double last = 0;
    for (JsonNode n : neighbours) {
      assertTrue(n.get("index").asInt() != 3, "the query is not its own neighbour");
      assertEquals(1, n.get("label").asInt(), "a trained network's features put example 3 (bottom) among bottoms");
      assertTrue(n.get("distance").asDouble() >= last, "sorted by distance");
      last = n.get("distance").asDouble();
    }
    // The pixel row is the brute-force answer: cosine distance between raw images.
    JsonNode pixels = json.get("pixel_neighbors");
    assertEquals(5, pixels.size());
    double[] distances = new double[N];
    Integer[] order = new Integer[N];
    for (int i = 0; i < N; i++) {
      distances[i] = i == 3 ? Double.POSITIVE_INFINITY : 1 - cosine(images, 3, i);
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(distances[a], distances[b]));
    for (int rank = 0; rank < 5; rank++) {
      assertEquals(order[rank], pixels.get(rank).get("index").asInt(), "pixel rank " + rank);
      assertEquals(distances[order[rank]], pixels.get(rank).get("distance").asDouble(), 1e-5);
    }
    BufferedImage grid = ImageIO.read(png.toFile());
    assertNotNull(grid);
    assertTrue(grid.getWidth() > 6 * 48 && grid.getHeight() > 2 * 48, "two rows of six tiles: " + grid.getWidth() + "x" + grid.getHeight());
  }

  private static double cosine(float[] x, int a, int b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int p = 0; p < 144; p++) {
      dot += (double) x[a * 144 + p] * x[b * 144 + p];
      na += (double) x[a * 144 + p] * x[a * 144 + p];
      nb += (double) x[b * 144 + p] * x[b * 144 + p];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void anImageFileFindsItselfThroughTheModelTheDatabaseRecords() throws IOException {
    Path png = dir.resolve("example7.png");
    PngFiles.write(ImageOps.fromTensor(Tensor.of(java.util.Arrays.copyOfRange(images, 7 * 144, 8 * 144), 1, 12, 12)), png);
    Result r = run("neighbors", "--db", db.toString(), "--query", png.toString(), "-k", "3", "--out", dir.resolve("q.png").toString(), "--json");
    assertEquals(0, r.code, r.err);
    JsonNode first = new ObjectMapper().readTree(r.out).get("neighbors").get(0);
    assertEquals(7, first.get("index").asInt(), "the PNG of example 7 is nearest to example 7");
    assertTrue(first.get("distance").asDouble() < 1e-3, "8-bit rounding moves the features very little: " + first);
  }

  @Test
  void badQueriesAndDatabasesGetOneLineErrors() throws IOException {
    Path vector = dir.resolve("vector.npy");
    Npy.write(vector, Tensor.of(new float[] {1, 2, 3}, 3));
    String out = dir.resolve("x.png").toString();
    assertTrue(oneLineError(run("neighbors", "--db", db.toString(), "--query", vector.toString(), "--out", out))
        .endsWith("the query has 3 dimensions but the database holds 16-d vectors (layer input of /fc/Gemm (/flatten/Flatten_output_0),"
            + " avg pooling, cosine, 16-d, of tiny.onnx)"));

    Path empty = dir.resolve("empty");
    FeatureDatabase.openOrCreate(empty).close();
    assertTrue(oneLineError(run("neighbors", "--db", empty.toString(), "--query-index", "0", "--out", out))
        .endsWith("holds no feature vectors yet; add some with convscope embed"));
    assertTrue(oneLineError(run("tsne", "--db", empty.toString(), "--out", out)).endsWith("holds no feature vectors yet; add some with convscope embed"));

    Path png = dir.resolve("example0.png");
    PngFiles.write(ImageOps.fromTensor(Tensor.of(java.util.Arrays.copyOf(images, 144), 1, 12, 12)), png);
    String other = oneLineError(run("neighbors", "--db", db.toString(), "--model", otherModel.toString(), "--query", png.toString(), "--out", out));
    assertTrue(other.endsWith("holds features of tiny.onnx, not of " + otherModel + " (its contents differ); embed with it first"), other);

    assertTrue(oneLineError(run("neighbors", "--db", dir.resolve("nowhere").toString(), "--query-index", "0", "--out", out))
        .endsWith("no feature database there; make one with convscope embed"));
    assertTrue(oneLineError(run("neighbors", "--db", db.toString(), "--query-index", "500", "--out", out))
        .contains("example 500 of"));
  }

  @Test
  void tsneMapsTheTwoClassesApartAndSavesCoordinates() throws IOException {
    Path png = dir.resolve("map.png");
    Path coords = dir.resolve("coords.npy");
    Result r = run("tsne", "--db", db.toString(), "--perplexity", "10", "--iterations", "300", "--seed", "1", "--thumbnails",
        "--out", png.toString(), "--save", coords.toString());
    assertEquals(0, r.code, r.err);
    Matcher m = Pattern.compile("KL divergence ([0-9.]+), trustworthiness ([0-9.]+) \\(k=10\\), 10-NN class agreement ([0-9.]+)").matcher(r.out);
    assertTrue(m.find(), r.out);
    assertTrue(Double.parseDouble(m.group(3)) >= 0.95, "the classes stay apart: " + r.out);
    assertTrue(Double.parseDouble(m.group(2)) > 0.8, r.out);
    Tensor saved = Npy.readFloat(coords);
    assertArrayEquals(new int[] {N, 2}, saved.shape());
    assertNotNull(ImageIO.read(png.toFile()));

    Result again = run("tsne", "--db", db.toString(), "--perplexity", "10", "--iterations", "300", "--seed", "1",
        "--out", png.toString(), "--save", dir.resolve("again.npy").toString());
    assertEquals(0, again.code, again.err);
    assertArrayEquals(saved.data(), Npy.readFloat(dir.resolve("again.npy")).data(), "a seed reproduces the map");

    Result pca = run("tsne", "--db", db.toString(), "--method", "pca", "--out", dir.resolve("pca.png").toString());
    assertEquals(0, pca.code, pca.err);
    assertTrue(pca.out.startsWith("PCA of 160 vectors"), pca.out);
  }

  @Test
  void overlapListsThePairAndDrawsTheMatrix() throws IOException {
    Path png = dir.resolve("overlap.png");
    Result r = run("overlap", "--db", db.toString(), "-k", "5", "--json", "--out", png.toString());
    assertEquals(0, r.code, r.err);
    JsonNode json = new ObjectMapper().readTree(r.out);
    assertEquals(1, json.get("pairs").size());
    long slots = 0;
    for (JsonNode row : json.get("counts")) for (JsonNode c : row) slots += c.asLong();
    assertEquals(N * 5, slots, "every neighbour slot is counted once");
    assertTrue(json.get("pairs").get(0).get("mixing").asDouble() < 0.05, "a trained model keeps the classes apart: " + r.out);
    assertTrue(Files.size(png) > 0);
  }
}
