package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.convscope.explain.GradCam;
import org.convscope.explain.Query;
import org.convscope.explain.Saliency;
import org.convscope.explain.TinyNets;
import org.convscope.model.Model;
import org.convscope.onnx.OnnxExporter;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainCommandTest {
  @TempDir
  static Path dir;
  static Path pooled;
  static Path noLinearHead;
  static Path input;
  static final Tensor X = TinyNets.random(11, 2, 2, 4, 4);

  @BeforeAll
  static void files() throws IOException {
    pooled = dir.resolve("pooled.onnx");
    OnnxExporter.write(TinyNets.pooledLinear().graph(), pooled);
    noLinearHead = dir.resolve("pooled-relu.onnx");
    OnnxExporter.write(TinyNets.pooledThenRelu().graph(), noLinearHead);
    input = dir.resolve("x.npy");
    Npy.write(input, X);
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void writesEachMapAndASummary() throws IOException {
    Path outDir = dir.resolve("out");
    Run r = run("explain", pooled.toString(), "--input", input.toString(), "--method", "saliency,gradcam,cam",
        "--target", "1", "--out", outDir.toString(), "--box", "0,0,2,2", "--sanity-layers", "1");
    assertEquals(0, r.code(), r.err());
    Model model = TinyNets.pooledLinear();
    Query query = Query.forClass(model, X, 1, null);
    assertArrayEquals(new Saliency().explain(query).map().data(), Npy.readFloat(outDir.resolve("saliency.npy")).data());
    Tensor gradcam = Npy.readFloat(outDir.resolve("gradcam.npy"));
    assertArrayEquals(new int[] {2, 4, 4}, gradcam.shape());
    assertArrayEquals(new GradCam().explain(query).map().data(), gradcam.data());
    assertTrue(Files.exists(outDir.resolve("cam.npy")));
    for (String png : new String[] {"saliency.png", "gradcam.png", "cam.png"}) {
      BufferedImage image = ImageIO.read(outDir.resolve(png).toFile());
      assertTrue(image.getWidth() > 2 * 224 && image.getHeight() > 224, png + " shows both items at display size");
    }
    BufferedImage panel = ImageIO.read(outDir.resolve("panel.png").toFile());
    assertTrue(panel.getWidth() > 4 * 224 && panel.getHeight() > 2 * 224, "input and three methods, two rows");

    JsonNode summary = new ObjectMapper().readTree(outDir.resolve("summary.json").toFile());
    assertEquals(1, summary.get("items").get(0).get("target").get("class").asInt());
    assertEquals(query.predicted(1), summary.get("items").get(1).get("prediction").get("class").asInt());
    assertEquals(query.probability(0, 1), summary.get("items").get(0).get("target").get("probability").asDouble(), 1e-9);
    assertEquals("features", summary.get("layer").get("name").asText());
    assertTrue(summary.get("layer").get("automatic").asBoolean());
    JsonNode methods = summary.get("methods");
    assertEquals(3, methods.size());
    assertEquals("saliency", methods.get(0).get("name").asText());
    for (JsonNode m : methods) {
      assertTrue(m.get("seconds").asDouble() >= 0);
      assertEquals(2, m.get("deletion_auc").size());
      double auc = m.get("insertion_auc").get(0).asDouble();
      assertTrue(auc > 0 && auc < 1, m.toString());
      assertEquals(2, m.get("pointing_game_hit").size());
      assertEquals("fc", m.get("randomization").get(0).get("layer").asText());
    }
    assertTrue(r.out().contains("layer: features (tensor /features/Relu_output_0, 2x4x4, chosen automatically"), r.out());
  }

  @Test
  void topKExplainsEachInputsBestClassesSideBySide() throws IOException {
    Path outDir = dir.resolve("top");
    Run r = run("explain", pooled.toString(), "--input", input.toString(), "--method", "gradcam", "--top-k", "2",
        "--out", outDir.toString(), "--no-metrics");
    assertEquals(0, r.code(), r.err());
    Tensor maps = Npy.readFloat(outDir.resolve("gradcam.npy"));
    assertArrayEquals(new int[] {4, 4, 4}, maps.shape());
    Query top = Query.topK(TinyNets.pooledLinear(), X, 2, null);
    assertArrayEquals(new GradCam().explain(top).map().data(), maps.data());
    JsonNode summary = new ObjectMapper().readTree(outDir.resolve("summary.json").toFile());
    assertFalse(summary.get("methods").get(0).has("deletion_auc"), "--no-metrics skips the curves");
    JsonNode items = summary.get("items");
    assertEquals(1, items.get(3).get("input_item").asInt());
    assertEquals(top.target(3), items.get(3).get("target").get("class").asInt());
    assertFalse(items.get(0).get("target").get("class").asInt() == items.get(1).get("target").get("class").asInt());
  }

  /** Named, a method the model cannot support is an error (below); under "all" it is skipped, saying why. */
  @Test
  void allSkipsWhatTheModelCannotSupportAndSaysWhy() throws IOException {
    Path outDir = dir.resolve("all");
    Run r = run("explain", noLinearHead.toString(), "--input", input.toString(), "--method", "all", "--no-metrics",
        "--out", outDir.toString());
    assertEquals(0, r.code(), r.err());
    String why = "CAM needs global average pooling then a linear classifier right after layer 'features', but the "
        + "model has global average pooling then Relu '/act/Relu' there; Grad-CAM works on any model";
    assertTrue(r.out().contains("cam                   skipped: " + why), r.out());
    assertFalse(Files.exists(outDir.resolve("cam.npy")));
    JsonNode summary = new ObjectMapper().readTree(outDir.resolve("summary.json").toFile());
    assertEquals(why, summary.get("skipped").get("cam").asText());
    assertEquals(13, summary.get("methods").size(), "every other method");
    Query query = Query.predicted(TinyNets.pooledThenRelu(), X, null);
    assertArrayEquals(new GradCam().explain(query).map().data(), Npy.readFloat(outDir.resolve("gradcam.npy")).data());
  }

  private static void assertBadInput(String message, String... args) {
    Run r = run(args);
    assertEquals(Main.BAD_INPUT, r.code(), r.err());
    assertEquals("convscope: error: " + message + System.lineSeparator(), r.err());
  }

  @Test
  void badInputsAreOneLineErrors() {
    String m = pooled.toString();
    String in = input.toString();
    String out = dir.resolve("never").toString();
    String known = "occlusion, rise, saliency, input-x-gradient, smoothgrad, integrated-gradients, deconvnet, "
        + "guided-backprop, cam, gradcam, gradcam++, layercam, scorecam, guided-gradcam";
    assertBadInput("class 3 is out of range: the model has 3 classes (0 to 2)",
        "explain", m, "--input", in, "--target", "3", "--out", out);
    assertBadInput("layer 'pool' has shape [2,2] without spatial extent; class activation maps need a layer of shape "
        + "[N,C,H,W] with H or W above 1", "explain", m, "--input", in, "--layer", "pool", "--method", "gradcam", "--out", out);
    assertBadInput("CAM needs global average pooling then a linear classifier right after layer 'features', but the model "
        + "has global average pooling then Relu '/act/Relu' there; Grad-CAM works on any model",
        "explain", noLinearHead.toString(), "--input", in, "--method", "saliency,cam", "--out", out);
    assertBadInput("no method given; known methods: " + known + " (or all)", "explain", m, "--input", in, "--method", "", "--out", out);
    assertBadInput("unknown method 'gradkam'; known methods: " + known, "explain", m, "--input", in, "--method", "gradkam", "--out", out);
    assertBadInput("box 0,0,9,9 reaches outside the 4x4 input",
        "explain", noLinearHead.toString(), "--input", in, "--method", "all", "--box", "0,0,9,9", "--out", out);
    assertBadInput("--target and --top-k do not go together; give one",
        "explain", m, "--input", in, "--target", "1", "--top-k", "2", "--out", out);
    assertFalse(Files.exists(dir.resolve("never")), "nothing is written when the command fails");
  }
}
