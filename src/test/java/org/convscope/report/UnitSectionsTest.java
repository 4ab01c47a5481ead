package org.convscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.data.InMemoryDataset;
import org.convscope.engine.ForwardOptions;
import org.convscope.model.Model;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.convscope.units.InputSpace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's unit sections on the demo model and 300 of its images, checked against direct computations: the
 * patches against an exhaustive search, the mask thresholds against a sorted list of all activations, the class
 * visualizations against the model's logits.
 */
class UnitSectionsTest {
  private static final int IMAGES = 300;
  @TempDir static Path dir;
  private static ReportContext context;
  private static Model model;
  private static String layer;
  /** The last stage's activations for every image [N,C,h,w], computed with the whole model. */
  private static Tensor activations;

  @BeforeAll
  static void setUp() throws Exception {
    model = Model.load(Demo.extractModel(dir.resolve("model")));
    Dataset all = Demo.data();
    Batch first = all.batch(IntStream.range(0, IMAGES).toArray());
    Dataset data = new InMemoryDataset("demo subset", first.images(), first.labels(), all.classNames());
    context = new ReportContext(model, data, dir.resolve("report"), new int[] {0});
    layer = Stages.last(context).tensor();
    activations = model.network().forward(Map.of(model.input(), context.modelInputs(IntStream.range(0, IMAGES).toArray())),
        ForwardOptions.keeping(layer)).get(layer);
    new HiddenUnitsSection(8, 8).write(context);
  }

  private static JsonNode json(String name) throws Exception {
    return new ObjectMapper().readTree(context.dir().resolve(name).toFile());
  }

  private static float activation(int image, int channel, int y, int x) {
    int[] s = activations.shape();
    return activations.data()[((image * s[1] + channel) * s[2] + y) * s[3] + x];
  }

  @Test
  void lastStageIsTheDemoModelsThirdStage() {
    assertEquals(4, activations.rank());
    assertEquals(128, activations.dim(1), "the demo model's last stage has 128 channels");
    assertTrue(activations.dim(2) > 1 && activations.dim(2) < 28, Arrays.toString(activations.shape()));
  }

  @Test
  void patchesAreEightRowsOfTheBestImagesFoundExhaustively() throws Exception {
    assertTrue(Files.size(context.dir().resolve("units/patches.png")) > 0);
    JsonNode units = json("units/patches.json").get("units");
    assertEquals(8, units.size(), "one row per unit");
    int[] s = activations.shape();
    for (int u = 0; u < 8; u++) {
      JsonNode unit = units.get(u);
      int channel = unit.get("channel").asInt();
      assertEquals(u, channel);
      // Exhaustive: every image's peak for this channel, best first (ties to the smaller index).
      Integer[] order = IntStream.range(0, IMAGES).boxed().toArray(Integer[]::new);
      float[] peak = new float[IMAGES];
      for (int i = 0; i < IMAGES; i++) {
        peak[i] = Float.NEGATIVE_INFINITY;
        for (int y = 0; y < s[2]; y++) for (int x = 0; x < s[3]; x++) peak[i] = Math.max(peak[i], activation(i, channel, y, x));
      }
      Arrays.sort(order, (a, b) -> peak[a] != peak[b] ? Float.compare(peak[b], peak[a]) : Integer.compare(a, b));
      JsonNode patches = unit.get("patches");
      assertEquals(8, patches.size());
      for (int k = 0; k < 8; k++) {
        JsonNode p = patches.get(k);
        assertEquals(order[k], p.get("image").asInt(), "unit " + u + " patch " + k);
        float value = (float) p.get("value").asDouble();
        assertEquals(peak[order[k]], value, 1e-4f * Math.abs(peak[order[k]]) + 1e-5f);
        assertEquals(value, activation(p.get("image").asInt(), channel, p.get("y").asInt(), p.get("x").asInt()),
            1e-4f * Math.abs(value) + 1e-5f, "the patch sits where the unit peaks");
      }
    }
  }

  @Test
  void maskThresholdsAreTheChannelsQuantileOverTheData() throws Exception {
    assertTrue(Files.size(context.dir().resolve("units/masks.png")) > 0);
    JsonNode root = json("units/masks.json");
    double quantile = root.get("quantile").asDouble();
    assertEquals(0.995, quantile);
    JsonNode units = root.get("units");
    assertEquals(8, units.size());
    int[] s = activations.shape();
    int plane = s[2] * s[3];
    for (int u = 0; u < 8; u++) {
      float[] values = new float[IMAGES * plane];
      for (int i = 0; i < IMAGES; i++) System.arraycopy(activations.data(), (i * s[1] + u) * plane, values, i * plane, plane);
      Arrays.sort(values);
      float expected = values[(int) Math.ceil(quantile * values.length) - 1];
      JsonNode unit = units.get(u);
      assertEquals(values.length, unit.get("activations").asLong());
      assertEquals(expected, (float) unit.get("threshold").asDouble(), 1e-4f * Math.abs(expected) + 1e-6f, "unit " + u);
      assertEquals(8, unit.get("images").size());
    }
  }

  @Test
  void eachClassVisualizationRaisesItsLogit() throws Exception {
    new ClassVisualizationSection(16, 10).write(context);
    Tensor images = Npy.read(context.dir().resolve("visualizations/classes.npy"));
    assertEquals(10, images.dim(0));
    Tensor logits = model.network().predict(images);
    float[] pixels = new float[28 * 28];
    Arrays.fill(pixels, 0.5f);
    Tensor grey = new InputSpace(context.preprocessing()).toModel(Tensor.of(pixels, 1, 1, 28, 28));
    Tensor start = model.network().predict(grey);
    JsonNode classes = json("visualizations/classes.json").get("classes");
    for (int k = 0; k < 10; k++) {
      float after = logits.data()[k * 10 + k];
      assertTrue(after > start.data()[k], "class " + k + ": " + start.data()[k] + " -> " + after);
      assertEquals(start.data()[k], classes.get(k).get("start_logit").asDouble(), 1e-3 * Math.abs(start.data()[k]) + 1e-4);
      assertEquals(after, classes.get(k).get("final_logit").asDouble(), 1e-3 * Math.abs(after) + 1e-4);
    }
  }
}
