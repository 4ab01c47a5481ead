package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.model.Model;
import org.convscope.onnx.OnnxExporter;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.convscope.train.Architecture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine commands end to end: inspect, predict, tensor, filters, activations, and their one-line errors. */
class CommandsTest {
  @TempDir static Path dir;
  static Path model;
  static Path input;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void tinyModel() throws Exception {
    Graph g = Architecture.tiny(1, 12, 12, 3).build(5, Map.of(Model.CLASS_NAMES, "[\"alpha\",\"beta\",\"gamma\"]"));
    model = dir.resolve("tiny.onnx");
    OnnxExporter.write(g, model);
    Tensor x = Tensor.zeros(1, 1, 12, 12);
    for (int i = 0; i < x.size(); i++) x.data()[i] = (float) Math.sin(i * 0.37);
    input = dir.resolve("x.npy");
    Npy.write(input, x);
  }

  @Test
  void inspectReportsShapesParametersAndReceptiveFields() throws Exception {
    Run r = run("inspect", model.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode layers = new ObjectMapper().readTree(r.out()).get("layers");
    JsonNode conv2 = null;
    for (JsonNode l : layers) if ("stage2.conv1".equals(l.get("module").asText())) conv2 = l;
    assertEquals("[1,16,6,6]", conv2.get("shape").toString());
    assertEquals(8 * 16 * 9, conv2.get("parameters").asLong());
    // 3x3 conv (pad 1) -> 2x2 pool -> 3x3 conv: size 3 + 1 + 2*2 = 8, jump 2, start -1 - 1*2 = -3.
    assertEquals("[8,8]", conv2.get("receptive_field").get("size").toString());
    assertEquals("[2,2]", conv2.get("receptive_field").get("jump").toString());
    assertEquals("[-3,-3]", conv2.get("receptive_field").get("start").toString());
  }

  @Test
  void predictAndTensorMatchTheLibrary() throws Exception {
    Model m = Model.load(model);
    Tensor x = Npy.readFloat(input);
    Tensor logits = m.network().predict(x);
    int best = 0;
    for (int k = 1; k < 3; k++) if (logits.data()[k] > logits.data()[best]) best = k;
    Path saved = dir.resolve("logits.npy");
    Run r = run("predict", model.toString(), "--input", input.toString(), "--top", "1", "--save-logits", saved.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().trim().endsWith(best + "  " + m.className(best)), r.out());
    assertArrayEquals(logits.data(), Npy.readFloat(saved).data());

    Path layer = dir.resolve("stage2.npy");
    Run t = run("tensor", model.toString(), "--input", input.toString(), "--layer", "stage2", "--save", layer.toString());
    assertEquals(0, t.code(), t.err());
    String tensor = m.resolveLayer("stage2");
    Tensor expected = m.network().forward(Map.of(m.input(), x), ForwardOptions.keeping(tensor)).get(tensor);
    assertArrayEquals(expected.data(), Npy.readFloat(layer).data());
  }

  @Test
  void filtersAndActivationsDrawPictures() throws Exception {
    Path filters = dir.resolve("filters.png");
    assertEquals(0, run("filters", model.toString(), "--out", filters.toString()).code());
    assertTrue(javax.imageio.ImageIO.read(filters.toFile()).getWidth() > 48);
    Path maps = dir.resolve("maps.png");
    Path raw = dir.resolve("maps.npy");
    Run r = run("activations", model.toString(), "--input", input.toString(), "--layer", "stage1", "--top", "3",
        "--out", maps.toString(), "--save", raw.toString());
    assertEquals(0, r.code(), r.err());
    Tensor top = Npy.readFloat(raw);
    assertArrayEquals(new int[] {3, 6, 6}, top.shape(), "stage1 ends with its 2x2 pooling");
    double previous = Double.MAX_VALUE;
    for (int c = 0; c < 3; c++) {
      double mean = 0;
      for (int i = 0; i < 36; i++) mean += top.data()[c * 36 + i] / 36;
      assertTrue(mean <= previous + 1e-6, "strongest channels first");
      previous = mean;
    }
  }

  @Test
  void benchTimesTheThreePassesAfterItsWarmUp() {
    Run r = run("bench", model.toString(), "--runs", "3", "--warmup", "2", "--warmup-limit", "0");
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(4, lines.length, r.out());
    assertTrue(lines[0].contains("batch 1 (3 runs, medians"), lines[0]);
    // No JIT watch with a zero limit: just the two runs asked for, before each of the three medians.
    String[] kinds = {"forward ", "forward+backward input ", "forward+backward layer "};
    for (int i = 0; i < 3; i++) {
      assertTrue(lines[i + 1].matches(java.util.regex.Pattern.quote(kinds[i]) + " *\\d+\\.\\d\\d ms  \\[2, \\d+\\.\\d s\\].*"),
          lines[i + 1]);
    }
    assertTrue(lines[3].endsWith("(" + Model.load(model).resolveLayer("stage2") + ")"), "the last spatial layer: " + lines[3]);

    // Waiting for the JIT compiler stops at the limit at the latest (give or take the run under way).
    Run settled = run("bench", model.toString(), "--runs", "1", "--warmup", "1", "--warmup-limit", "0.5");
    assertEquals(0, settled.code(), settled.err());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[(\\d+), (\\d+\\.\\d) s\\]").matcher(settled.out());
    for (int i = 0; i < 3; i++) {
      assertTrue(m.find(), settled.out());
      assertTrue(Integer.parseInt(m.group(1)) >= 1, settled.out());
      assertTrue(Double.parseDouble(m.group(2)) < 2, "a half-second limit: " + settled.out());
    }
  }

  @Test
  void badInputsGiveOneLineErrorsAndExitCode2() throws Exception {
    Path truncated = dir.resolve("truncated.onnx");
    byte[] bytes = Files.readAllBytes(model);
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path ints = dir.resolve("ints.npy");
    Npy.write(ints, Tensor.ofLongs(new long[144], 1, 1, 12, 12));
    Path notImage = dir.resolve("photo.png");
    Files.writeString(notImage, "not a picture");
    Path wrongShape = dir.resolve("wide.npy");
    Npy.write(wrongShape, Tensor.zeros(1, 3, 12, 12));

    String[][] cases = {
        {"predict", truncated.toString(), "--input", input.toString()},
        {"predict", dir.resolve("missing.onnx").toString(), "--input", input.toString()},
        {"tensor", model.toString(), "--input", input.toString(), "--layer", "stage9", "--save", dir.resolve("o.npy").toString()},
        {"predict", model.toString(), "--input", ints.toString()},
        {"predict", model.toString(), "--input", notImage.toString()},
        {"predict", model.toString(), "--input", wrongShape.toString()},
        {"predict", model.toString(), "--input", input.toString(), "--top", "0"},
        {"bench", model.toString(), "--runs", "0"},
        {"bench", model.toString(), "--warmup-limit", "-1"},
        {"bench", model.toString(), "--layer", "stage9"},
    };
    String[] expected = {
        "not a valid ONNX file", "no such file", "unknown layer 'stage9'; closest names: stage1, stage2",
        "int64", "photo.png", "expects shape [batch,1,12,12], got [1,3,12,12] (1 channels expected, got 3)", "--top must be at least 1",
        "--batch and --runs must be at least 1", "--warmup and --warmup-limit at least 0", "unknown layer 'stage9'",
    };
    for (int i = 0; i < cases.length; i++) {
      Run r = run(cases[i]);
      assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
      assertTrue(r.err().startsWith("convscope: error: "), r.err());
      assertTrue(r.err().contains(expected[i]), "expected '" + expected[i] + "' in: " + r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
    Run verbose = run("predict", truncated.toString(), "--input", input.toString(), "--verbose");
    assertTrue(verbose.err().lines().count() > 3, "--verbose adds the stack trace");
  }
}
