package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
