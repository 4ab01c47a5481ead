package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.convscope.data.Dataset;
import org.convscope.data.FashionMnist;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.report.Demo;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.convscope.train.ChannelStatistics;
import org.convscope.train.Evaluation;
import org.convscope.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped demo: the model's accuracy, and {@code convscope demo} end to end. */
class DemoTest {
  @TempDir Path dir;

  private static Evaluation evaluate(Model model, Dataset data) {
    Preprocessing p = ModelPreprocessing.of(model);
    return Trainer.evaluate(model.network(), data, ChannelStatistics.array(p.mean()), ChannelStatistics.array(p.std()), 500);
  }

  @Test
  void shippedModelReachesNinetyOnePercent() throws Exception {
    Model model = Model.load(Demo.extractModel(dir));
    assertEquals(FashionMnist.CLASS_NAMES, model.classNames());
    assertTrue(ModelPreprocessing.isRecorded(model), "preprocessing is in the model's metadata");
    Dataset data = Files.isDirectory(FashionMnist.DEFAULT_DIR) ? FashionMnist.open(FashionMnist.Split.TEST) : Demo.data();
    Evaluation e = evaluate(model, data);
    assertTrue(e.accuracy() >= 0.91, data.name() + ": " + e.format());
  }

  @Test
  void demoWritesTheReport() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path report = dir.resolve("report");
    int code = Main.run(new String[] {"demo", "--out", report.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("report written"), out.toString());
    String html = Files.readString(report.resolve("index.html"));
    for (String section : new String[] {"Layers", "Accuracy", "Predictions", "First-layer filters", "Activation maps", "Hidden units",
        "Class visualizations", "Explanations"}) {
      assertTrue(html.contains("<h2>" + section + "</h2>"), "section " + section);
    }
    assertTrue(!html.contains("class=\"error\""), "no section failed: " + html.substring(Math.max(0, html.indexOf("class=\"error\"") - 200),
        Math.min(html.length(), html.indexOf("class=\"error\"") + 300)));
    for (String file : new String[] {"confusion.png", "filters.png", "filters.npy", "explanations/panel.png", "explanations/gradcam.npy",
        "units/masks.png", "units/patches.png", "visualizations/classes.png"}) {
      assertTrue(Files.size(report.resolve(file)) > 0, file);
    }
    unitSectionsCarryValues(report);
    embeddingSectionsHoldRealValues(report, html);
  }

  /** 8 units of the last stage with 8 masks and patches each; one image per class that raises its class's logit. */
  private static void unitSectionsCarryValues(Path report) throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode patches = json.readTree(report.resolve("units/patches.json").toFile());
    assertEquals("stage3.relu1", patches.get("layer").asText());
    assertEquals(8, patches.get("units").size(), "the patch grid has 8 rows");
    JsonNode masks = json.readTree(report.resolve("units/masks.json").toFile());
    assertEquals(8, masks.get("units").size());
    for (int u = 0; u < 8; u++) {
      JsonNode unitPatches = patches.get("units").get(u).get("patches");
      JsonNode unitMasks = masks.get("units").get(u).get("images");
      assertEquals(8, unitPatches.size());
      for (int i = 0; i < 8; i++) {
        assertEquals(unitMasks.get(i).get("image").asInt(), unitPatches.get(i).get("image").asInt(), "masks and patches show the same images");
        assertTrue(unitMasks.get(i).get("peak").asDouble() >= masks.get("units").get(u).get("threshold").asDouble());
      }
    }
    Model model = Model.load(report.resolve(Demo.MODEL));
    Tensor images = Npy.readFloat(report.resolve("visualizations/classes.npy"));
    assertEquals(10, images.dim(0), "one visualization per class");
    Tensor logits = model.network().predict(images);
    JsonNode classes = json.readTree(report.resolve("visualizations/classes.json").toFile()).get("classes");
    for (int k = 0; k < 10; k++) {
      double start = classes.get(k).get("start_logit").asDouble();
      assertTrue(logits.data()[k * 10 + k] > start, "class " + k + ": " + start + " -> " + logits.data()[k * 10 + k]);
    }
  }

  /** The t-SNE map of the 2,000 shipped images, their class overlap and the neighbour grids. */
  private static void embeddingSectionsHoldRealValues(Path report, String html) throws Exception {
    for (String section : new String[] {"Embedding map", "Class overlap", "Nearest neighbours"}) {
      assertTrue(html.contains("<h2>" + section + "</h2>"), "section " + section);
    }
    Tensor coordinates = Npy.readFloat(report.resolve("tsne.npy"));
    assertArrayEquals(new int[] {2000, 2}, coordinates.shape(), "one (x, y) row per shipped image");
    double spread = 0;
    for (float v : coordinates.data()) {
      assertTrue(Float.isFinite(v), "finite coordinates");
      spread = Math.max(spread, Math.abs(v));
    }
    assertTrue(spread > 5, "the map has spread out from its 1e-4 start: " + spread);
    BufferedImage map = ImageIO.read(report.resolve("tsne.png").toFile());
    assertEquals(1000, map.getWidth());
    assertEquals(760, map.getHeight());

    // The demo model's features mix the upper-body garments most, as the lecture says.
    List<String> pairs = Files.readAllLines(report.resolve("class-overlap.csv"));
    assertEquals("first,second,mixing", pairs.get(0));
    assertEquals(1 + 45, pairs.size(), "every pair of the 10 classes");
    Set<String> garments = Set.of("T-shirt/top", "Pullover", "Coat", "Shirt");
    for (String line : pairs.subList(1, 4)) {
      String[] cells = line.split(",");
      assertTrue(garments.contains(cells[0]) && garments.contains(cells[1]), "a top pair of upper-body garments: " + line);
      assertTrue(Double.parseDouble(cells[2]) > 0.02, line);
    }
    assertTrue(html.contains("T-shirt/top &ndash; Shirt") || html.contains("Coat &ndash; Shirt") || html.contains("Pullover &ndash; Shirt"));
    assertTrue(Files.size(report.resolve("class-overlap.png")) > 0);

    // Three queries (sample images 0, 1 and 2), each a row of features and a row of pixels: query plus 8 tiles.
    for (int query = 0; query < 3; query++) {
      BufferedImage grid = ImageIO.read(report.resolve("neighbors-" + query + ".png").toFile());
      assertTrue(grid.getWidth() >= 9 * 112 && grid.getWidth() < 9 * 112 + 200, "9 tiles of 112 across: " + grid.getWidth());
      assertTrue(grid.getHeight() >= 2 * 112 && grid.getHeight() < 2 * 112 + 120, "2 rows of 112: " + grid.getHeight());
    }
  }
}
