package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.convscope.data.InMemoryDataset;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.ops.StandardOps;
import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ModelSummary;
import org.convscope.inspect.ReceptiveField;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MaximallyActivatingPatchesTest {
  private static final Model MODEL = TinyModels.tiny(3);
  private static final String LAYER = "stage2.relu1";

  @Test
  void locatingNetworkDissectionsBestImagesGivesTheSamePatchesAsAPassOfItsOwn() {
    InMemoryDataset data = TinyModels.data(70, 5);
    int[] channels = {0, 7, 15};
    MaximallyActivatingPatches.Result found = MaximallyActivatingPatches.find(MODEL, TinyModels.preprocessing(), data, LAYER,
        MaximallyActivatingPatches.Options.defaults().withChannels(channels).withTop(6).withBatchSize(16), PassListener.NONE, () -> false);
    List<NetworkDissection.Result> masks = NetworkDissection.masks(MODEL, TinyModels.preprocessing(), data, LAYER, channels,
        NetworkDissection.Options.defaults().withTop(6).withBatchSize(32), PassListener.NONE, () -> false);
    List<List<TopActivations.Activation>> best = new ArrayList<>();
    for (NetworkDissection.Result r : masks) best.add(r.masks().stream().map(m -> m.activation(r.channel())).toList());
    MaximallyActivatingPatches.Result located = MaximallyActivatingPatches.locate(MODEL, data, LAYER, channels, best);
    assertEquals(found.field(), located.field());
    for (int u = 0; u < channels.length; u++) {
      List<MaximallyActivatingPatches.Patch> a = found.units().get(u).patches();
      List<MaximallyActivatingPatches.Patch> b = located.units().get(u).patches();
      assertEquals(a.size(), b.size());
      for (int i = 0; i < a.size(); i++) {
        assertEquals(a.get(i).activation().image(), b.get(i).activation().image(), "unit " + u + " patch " + i);
        assertEquals(a.get(i).activation().value(), b.get(i).activation().value(), 1e-5f * Math.max(1, Math.abs(a.get(i).activation().value())));
        assertEquals(a.get(i).top(), b.get(i).top());
        assertEquals(a.get(i).left(), b.get(i).left());
        assertEquals(a.get(i).clipped(), b.get(i).clipped());
      }
    }
    assertThrows(InvalidInputException.class, () -> MaximallyActivatingPatches.locate(MODEL, data, "fc", new int[] {0}, List.of(List.of())));
  }

  @Test
  void matchesAnExhaustiveSearchAndTheLayersReceptiveField() throws Exception {
    InMemoryDataset data = TinyModels.data(70, 5);
    Tensor all = TinyModels.activations(MODEL, data, LAYER);
    // The field from the layer table, computed on the whole model: size 8, jump 2, start -3 by hand.
    ReceptiveField field = null;
    for (LayerInfo row : ModelSummary.layers(MODEL.network(), new int[] {1, 1, 12, 12})) {
      if (row.tensor().equals(MODEL.resolveLayer(LAYER))) field = row.receptiveField();
    }
    assertEquals(new ReceptiveField.Axis(8, 2, -3), field.height());
    for (boolean onePerImage : new boolean[] {true, false}) {
      MaximallyActivatingPatches.Options options = MaximallyActivatingPatches.Options.defaults()
          .withChannels(0, 7, 15).withTop(5).withOnePerImage(onePerImage).withBatchSize(16);
      MaximallyActivatingPatches.Result result = MaximallyActivatingPatches.find(MODEL, TinyModels.preprocessing(), data, LAYER,
          options, PassListener.NONE, () -> false);
      assertEquals(70, result.images());
      assertEquals(field, result.field());
      assertEquals(List.of(0, 7, 15), result.units().stream().map(MaximallyActivatingPatches.Unit::channel).toList());
      for (MaximallyActivatingPatches.Unit unit : result.units()) {
        List<TopActivations.Activation> expected = TopActivationsTest.exhaustive(all, unit.channel(), 5, onePerImage);
        assertEquals(5, unit.patches().size());
        for (int i = 0; i < 5; i++) {
          MaximallyActivatingPatches.Patch p = unit.patches().get(i);
          TopActivations.Activation e = expected.get(i);
          assertEquals(e.image(), p.activation().image());
          assertEquals(e.y(), p.activation().y());
          assertEquals(e.x(), p.activation().x());
          assertEquals(e.value(), p.activation().value(), 1e-5f * Math.max(1, Math.abs(e.value())), "batched and whole runs agree");
          assertEquals(e.image() % 3, p.label());
          assertEquals(-3 + 2 * e.y(), p.top());
          assertEquals(-3 + 2 * e.x(), p.left());
          assertEquals(8, p.height());
          assertEquals(8, p.width());
          assertEquals(p.top() < 0 || p.left() < 0 || p.top() + 8 > 12 || p.left() + 8 > 12, p.clipped());
        }
      }
    }
  }

  @Test
  void streamsInBatchesKeepingOnlyChannelsTimesK() {
    InMemoryDataset data = TinyModels.data(90, 6);
    LayerCut cut = LayerCut.of(MODEL, LAYER);
    TopActivations top = new TopActivations(new int[] {1, 2, 3, 4}, 3, false);
    List<Integer> done = new ArrayList<>();
    MaximallyActivatingPatches.scan(cut, data, new InputSpace(TinyModels.preprocessing()), top, 8, (pass, images, total) -> {
      assertTrue(top.kept() <= 4 * 3, "kept " + top.kept());
      done.add(images);
    }, () -> false);
    assertEquals(12, done.size(), "90 images in batches of 8");
    assertEquals(90, done.get(done.size() - 1));
    assertEquals(4 * 3, top.kept());
  }

  @Test
  void cropsTheWholeFieldAndFillsWhatLiesBeyondTheBorder() {
    // Pixel value = 100 * channel + 10 * y + x on a 2-channel 4x5 image.
    float[] v = new float[2 * 4 * 5];
    for (int c = 0; c < 2; c++) for (int y = 0; y < 4; y++) for (int x = 0; x < 5; x++) v[(c * 4 + y) * 5 + x] = 100 * c + 10 * y + x;
    Tensor image = Tensor.of(v, 2, 4, 5);
    TopActivations.Activation a = new TopActivations.Activation(0, 1, 0, 0, 0);
    MaximallyActivatingPatches.Patch inside = new MaximallyActivatingPatches.Patch(a, -1, 1, 2, 2, 3, false);
    assertEquals(List.of(12f, 13f, 14f, 22f, 23f, 24f, 112f, 113f, 114f, 122f, 123f, 124f), floats(MaximallyActivatingPatches.crop(image, inside, -1)));
    MaximallyActivatingPatches.Patch corner = new MaximallyActivatingPatches.Patch(a, -1, -1, 3, 3, 3, true);
    Tensor crop = MaximallyActivatingPatches.crop(image, corner, -1);
    assertArrayEquals(new int[] {2, 3, 3}, crop.shape());
    assertEquals(List.of(-1f, -1f, -1f, 3f, 4f, -1f, 13f, 14f, -1f), floats(crop).subList(0, 9));
  }

  @Test
  void badInputsAreExplained() {
    InMemoryDataset data = TinyModels.data(4, 7);
    MaximallyActivatingPatches.Options options = MaximallyActivatingPatches.Options.defaults();
    InvalidInputException pooled = assertThrows(InvalidInputException.class, () -> MaximallyActivatingPatches.find(MODEL,
        TinyModels.preprocessing(), data, "avgpool", options, PassListener.NONE, () -> false));
    assertEquals("layer 'avgpool' has no spatial extent (output [1,16,1,1]), so it has no patches; choose a convolutional layer",
        pooled.getMessage());
    InvalidInputException fc = assertThrows(InvalidInputException.class, () -> MaximallyActivatingPatches.find(MODEL,
        TinyModels.preprocessing(), data, "fc", options, PassListener.NONE, () -> false));
    assertEquals("layer 'fc' has no spatial extent (output [1,3]), so it has no patches; choose a convolutional layer", fc.getMessage());
    InvalidInputException channel = assertThrows(InvalidInputException.class, () -> MaximallyActivatingPatches.find(MODEL,
        TinyModels.preprocessing(), data, LAYER, options.withChannels(3, 16), PassListener.NONE, () -> false));
    assertEquals("channel 16 is out of range: layer 'stage2.relu1' has 16 channels (0 to 15)", channel.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> MaximallyActivatingPatches.find(MODEL,
        TinyModels.preprocessing(), TinyModels.data(0, 1), LAYER, options, PassListener.NONE, () -> false));
    assertEquals("random is empty", empty.getMessage());
    assertThrows(CancellationException.class, () -> MaximallyActivatingPatches.find(MODEL, TinyModels.preprocessing(), data,
        LAYER, options, PassListener.NONE, () -> true));
    assertThrows(IllegalArgumentException.class, () -> options.withTop(0));
  }

  @Test
  void unitsThatSeeTheWholeImageHaveNoPatchesButHaveMasks() {
    // Squeeze-and-excitation: every position is scaled by the image's mean, so every unit sees all of it.
    GraphBuilder b = new GraphBuilder("se", 13);
    String x = b.input("input", -1, 1, 12, 12);
    String conv = b.node("Conv", "/conv/Conv", List.of(x, b.initializer("w", Tensor.full(0.5f, 2, 1, 3, 3))),
        Map.of("kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1}));
    String pooled = b.node("GlobalAveragePool", "/se/GlobalAveragePool", List.of(conv), Map.of());
    b.output(b.node("Mul", "/se/Mul", List.of(conv, pooled), Map.of()));
    Model se = new Model(b.build(StandardOps.registry()), "se");
    InMemoryDataset data = TinyModels.data(5, 2);
    InvalidInputException global = assertThrows(InvalidInputException.class, () -> MaximallyActivatingPatches.find(se,
        TinyModels.preprocessing(), data, "/se/Mul", MaximallyActivatingPatches.Options.defaults(), PassListener.NONE, () -> false));
    assertEquals("each unit of layer '/se/Mul' sees the whole image (an op before it, such as squeeze-and-excitation, pools"
        + " globally), so it has no patches", global.getMessage());
    NetworkDissection.Result masks = NetworkDissection.masks(se, TinyModels.preprocessing(), data, "/se/Mul", 1,
        NetworkDissection.Options.defaults().withTop(2), PassListener.NONE, () -> false);
    assertEquals(2, masks.masks().size());
  }

  private static List<Float> floats(Tensor t) {
    List<Float> out = new ArrayList<>();
    for (float f : t.data()) out.add(f);
    return out;
  }
}
