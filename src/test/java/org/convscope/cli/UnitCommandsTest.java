package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.convscope.data.Dataset;
import org.convscope.data.Datasets;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.ops.StandardOps;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.onnx.OnnxExporter;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.convscope.train.Architecture;
import org.convscope.units.MaximallyActivatingPatches;
import org.convscope.units.NetworkDissection;
import org.convscope.units.PassListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mask, patches, visualize and dream commands end to end, through {@link Main#run}. */
class UnitCommandsTest {
  @TempDir
  static Path dir;
  static Path model;
  static Path data;
  static final Preprocessing PREPROCESSING = new Preprocessing(new Preprocessing.To(12, 12), 1, List.of(0.5f), List.of(0.25f));

  /** Exit code, stdout and stderr of one run. */
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void files() throws Exception {
    Map<String, String> metadata = new LinkedHashMap<>(ModelPreprocessing.toMetadata(PREPROCESSING));
    metadata.put(Model.CLASS_NAMES, Model.encodeClassNames(List.of("zero", "one", "two")));
    model = dir.resolve("tiny.onnx");
    OnnxExporter.write(Architecture.tiny(1, 12, 12, 3).build(9, metadata), model);
    Random random = new Random(2);
    float[] pixels = new float[30 * 144];
    for (int i = 0; i < pixels.length; i++) pixels[i] = random.nextFloat();
    data = dir.resolve("data.npy");
    Npy.write(data, Tensor.of(pixels, 30, 1, 12, 12));
  }

  private static String out(String name) {
    return dir.resolve(name).toString();
  }

  @Test
  void patchesAsJsonMatchTheLibraryAndDrawAGrid() throws Exception {
    Run r = run("patches", model.toString(), "--data", data.toString(), "--layer", "stage2.relu1", "--channels", "0-1,5",
        "--top", "3", "--batch", "7", "--out", out("patches.png"), "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals(30, json.get("images").asInt());
    assertEquals("[8,8]", json.get("receptive_field").get("size").toString());
    Dataset dataset = Datasets.open(data.toString());
    MaximallyActivatingPatches.Result library = MaximallyActivatingPatches.find(Model.load(model), PREPROCESSING, dataset, "stage2.relu1",
        MaximallyActivatingPatches.Options.defaults().withChannels(0, 1, 5).withTop(3), PassListener.NONE, () -> false);
    List<Integer> channels = new ArrayList<>();
    for (int u = 0; u < 3; u++) {
      JsonNode unit = json.get("units").get(u);
      channels.add(unit.get("channel").asInt());
      for (int i = 0; i < 3; i++) {
        JsonNode patch = unit.get("patches").get(i);
        MaximallyActivatingPatches.Patch expected = library.units().get(u).patches().get(i);
        assertEquals(expected.activation().image(), patch.get("image").asInt());
        assertEquals("[" + expected.top() + "," + expected.left() + ",8,8]", patch.get("box").toString());
        assertEquals(expected.clipped(), patch.get("clipped").asBoolean());
        assertEquals(expected.activation().value(), patch.get("value").floatValue(), 1e-5f);
      }
    }
    assertEquals(List.of(0, 1, 5), channels);
    BufferedImage grid = ImageIO.read(dir.resolve("patches.png").toFile());
    assertTrue(grid.getWidth() > 3 * 64 && grid.getHeight() > 3 * 64, grid.getWidth() + "x" + grid.getHeight());
  }

  @Test
  void patchesShowTheFirstSixteenChannelsByDefault() throws Exception {
    Run r = run("patches", model.toString(), "--data", data.toString(), "--layer", "stage2.relu1", "--top", "2",
        "--out", out("default.png"), "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals(16, new ObjectMapper().readTree(r.out()).get("units").size());
  }

  @Test
  void maskPrintsTheLibrarysThresholdAndDrawsTheMasks() throws Exception {
    Run r = run("mask", model.toString(), "--data", data.toString(), "--layer", "stage1.relu1", "--channel", "3", "--top", "4",
        "--out", out("mask.png"));
    assertEquals(0, r.code(), r.err());
    NetworkDissection.Result library = NetworkDissection.masks(Model.load(model), PREPROCESSING, Datasets.open(data.toString()),
        "stage1.relu1", 3, NetworkDissection.Options.defaults().withTop(4), PassListener.NONE, () -> false);
    assertTrue(r.out().startsWith(String.format("stage1.relu1 channel 3: above %.4g, the 0.995 quantile of 4,320 activations",
        library.datasetThreshold())), r.out());
    for (NetworkDissection.UnitMask m : library.masks()) assertTrue(r.out().contains("image " + m.image() + ": peak"), r.out());
    BufferedImage figure = ImageIO.read(dir.resolve("mask.png").toFile());
    assertTrue(figure.getWidth() >= 4 * 156, "four tiles of 12x13 = 156 pixels: " + figure.getWidth());
  }

  @Test
  void visualizeWritesTheImageAStripAndAPlot() throws Exception {
    Run r = run("visualize", model.toString(), "--objective", "class:1", "--init", "random", "--steps", "16", "--jitter", "1",
        "--blur-every", "4", "--tv", "0.001", "--l2", "0.001", "--fourier", "--out", out("vis.png"), "--strip", out("strip.png"),
        "--plot", out("plot.png"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("class:1 (one): objective "), r.out());
    BufferedImage image = ImageIO.read(dir.resolve("vis.png").toFile());
    assertEquals(216, image.getWidth(), "12 pixels enlarged 18 times");
    assertEquals(216, image.getHeight());
    BufferedImage plot = ImageIO.read(dir.resolve("plot.png").toFile());
    assertEquals(640, plot.getWidth());
    assertTrue(Files.size(dir.resolve("strip.png")) > 0);
  }

  @Test
  void dreamWritesAnImageOfTheInputsSize() throws Exception {
    BufferedImage input = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 12; y++) for (int x = 0; x < 12; x++) input.setRGB(x, y, (x * 20) << 8 | y * 20);
    Path png = dir.resolve("input.png");
    ImageIO.write(input, "png", png.toFile());
    Run r = run("dream", model.toString(), "--input", png.toString(), "--layer", "stage1.relu1", "--octaves", "2",
        "--octave-scale", "1.5", "--steps", "3", "--jitter", "2", "--out", out("dream.png"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("over octaves 8x8, 12x12"), r.out());
    assertEquals(216, ImageIO.read(dir.resolve("dream.png").toFile()).getWidth());
  }

  @Test
  void badInputsGiveOneLineAndExitCodeTwo() throws Exception {
    Path empty = dir.resolve("empty.npy");
    Npy.write(empty, Tensor.zeros(0, 1, 12, 12));
    Path nanModel = dir.resolve("nan.onnx");
    GraphBuilder b = new GraphBuilder("nan", 13);
    String x = b.input("input", 1, 1, 4, 4);
    String zero = b.node("Sub", "/zero/Sub", List.of(x, x), Map.of());
    b.output(b.node("Flatten", "/flatten/Flatten", List.of(b.node("Div", "/ratio/Div", List.of(zero, zero), Map.of())), Map.of("axis", 1L)));
    OnnxExporter.write(b.build(StandardOps.registry()), nanModel);
    String m = model.toString();
    String d = data.toString();
    String expected = "expected class:K, channel:LAYER:C or neuron:LAYER:C:Y:X";
    Map<List<String>, String> cases = new LinkedHashMap<>();
    cases.put(List.of("mask", m, "--data", d, "--layer", "stage1.relu1", "--channel", "8"),
        "channel 8 is out of range: layer 'stage1.relu1' has 8 channels (0 to 7)");
    cases.put(List.of("patches", m, "--data", d, "--layer", "stage2.relu1", "--channels", "14-16"),
        "channel 16 is out of range: layer 'stage2.relu1' has 16 channels (0 to 15)");
    cases.put(List.of("patches", m, "--data", d, "--layer", "fc"),
        "layer 'fc' has no spatial extent (output [1,3]), so it has no patches; choose a convolutional layer");
    cases.put(List.of("mask", m, "--data", d, "--layer", "avgpool", "--channel", "0"),
        "layer 'avgpool' has no spatial extent (output [1,16,1,1]), so it has no masks; choose a convolutional layer");
    cases.put(List.of("patches", m, "--data", empty.toString(), "--layer", "stage2.relu1"), empty + " is empty");
    cases.put(List.of("mask", m, "--data", empty.toString(), "--layer", "stage2.relu1", "--channel", "0"), empty + " is empty");
    cases.put(List.of("patches", m, "--data", d, "--layer", "stage2.relu1", "--channels", "3-1"),
        "--channels '3-1': expected all, N, N-M or a comma-separated list of them (e.g. 0-15,32)");
    cases.put(List.of("mask", m, "--data", d, "--layer", "stage1.relu1", "--channel", "0", "--quantile", "1.5"),
        "the quantile must be between 0 and 1, not 1.5");
    cases.put(List.of("visualize", m, "--objective", "class:x"), "objective 'class:x': 'x' is not a whole number; " + expected);
    cases.put(List.of("visualize", m, "--objective", "channel:stage1.relu1"), "objective 'channel:stage1.relu1': " + expected);
    cases.put(List.of("visualize", m, "--objective", "class:3"), "class 3 is out of range: the model has 3 classes (0 to 2)");
    cases.put(List.of("visualize", m, "--objective", "neuron:stage2.relu1:0:6:0"), "position (6,0) is outside layer 'stage2.relu1''s 6x6 map");
    cases.put(List.of("visualize", nanModel.toString(), "--objective", "class:0"), "the objective class:0 is NaN at step 0 for the start image");
    cases.put(List.of("visualize", m, "--objective", "class:0", "--fourier", "--decorrelate"),
        "--decorrelate needs an RGB model, but " + m + " takes 1 channel(s)");
    cases.put(List.of("dream", m, "--input", dir.resolve("missing.png").toString(), "--layer", "stage1.relu1"),
        dir.resolve("missing.png") + ": no such file");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      List<String> args = new ArrayList<>(c.getKey());
      args.addAll(List.of("--out", out("never.png")));
      Run r = run(args.toArray(String[]::new));
      assertEquals(2, r.code(), c.getKey() + ": " + r.err());
      assertEquals("convscope: error: " + c.getValue() + "\n", r.err(), c.getKey().toString());
      assertFalse(Files.exists(dir.resolve("never.png")), "nothing written for " + c.getKey());
    }
  }
}
