package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    for (String section : new String[] {"Layers", "Accuracy", "Predictions", "First-layer filters", "Activation maps", "Explanations"}) {
      assertTrue(html.contains("<h2>" + section + "</h2>"), "section " + section);
    }
    assertTrue(!html.contains("class=\"error\""), "no section failed: " + html.substring(Math.max(0, html.indexOf("class=\"error\"") - 200),
        Math.min(html.length(), html.indexOf("class=\"error\"") + 300)));
    for (String file : new String[] {"confusion.png", "filters.png", "filters.npy", "explanations/panel.png", "explanations/gradcam.npy"}) {
      assertTrue(Files.size(report.resolve(file)) > 0, file);
    }
  }
}
