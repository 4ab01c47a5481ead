package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.convscope.data.InMemoryDataset;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.InvalidInputException;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DeepDreamTest {
  private static final Model MODEL = TinyModels.tiny(8);

  private static Tensor image() throws Exception {
    InMemoryDataset data = TinyModels.data(1, 4);
    return new InputSpace(TinyModels.preprocessing()).toModel(data.batch(new int[] {0}).images());
  }

  private static double meanSquare(Tensor input, String layer) {
    String tensor = MODEL.resolveLayer(layer);
    float[] a = MODEL.network().forward(Map.of(MODEL.input(), input), ForwardOptions.keeping(tensor)).get(tensor).data();
    double s = 0;
    for (float v : a) s += (double) v * v;
    return s / a.length;
  }

  @Test
  void amplifiesTheLayerOverOctavesOnAModelOfFixedInputSize() throws Exception {
    Tensor input = image();
    DeepDream.Options options = DeepDream.Options.defaults().withOctaves(2).withOctaveScale(1.5).withSteps(6).withJitter(0);
    DeepDream.Result r = DeepDream.dream(MODEL, TinyModels.preprocessing(), "stage1.relu1", input, options, StepListener.NONE, () -> false);
    assertEquals(List.of(List.of(8, 8), List.of(12, 12)), r.octaves().stream().map(s -> List.of(s[0], s[1])).toList());
    assertArrayEquals(input.shape(), r.image().shape());
    assertEquals(12, r.objective().length);
    for (int octave = 0; octave < 2; octave++) {
      assertTrue(r.objective()[octave * 6 + 5] > r.objective()[octave * 6], "octave " + octave + " rises");
    }
    // On the model itself (fixed 12x12 input), the dreamed image excites the layer more than the original.
    assertTrue(meanSquare(r.image(), "stage1.relu1") > 1.2 * meanSquare(input, "stage1.relu1"));
    for (float v : r.image().data()) assertTrue(v >= -2 && v <= 2, "clipped to valid pixels: " + v);
  }

  @Test
  void skipsOctavesWhereTheLayersMapWouldBeUnderTwoByTwo() throws Exception {
    // stage2 halves the size: 12 -> 6, 6 -> 3, 3 -> 1.
    DeepDream.Result r = DeepDream.dream(MODEL, TinyModels.preprocessing(), "stage2.relu1", image(),
        DeepDream.Options.defaults().withOctaves(3).withOctaveScale(2).withSteps(2), StepListener.NONE, () -> false);
    assertEquals(List.of(List.of(6, 6), List.of(12, 12)), r.octaves().stream().map(s -> List.of(s[0], s[1])).toList());
  }

  @Test
  void badInputsAreExplained() throws Exception {
    Tensor nan = image();
    nan.data()[0] = Float.NaN;
    DeepDream.Options options = DeepDream.Options.defaults().withSteps(1);
    assertEquals("the image holds 1 NaN or infinite values", assertThrows(InvalidInputException.class,
        () -> DeepDream.dream(MODEL, TinyModels.preprocessing(), "stage1.relu1", nan, options, StepListener.NONE, () -> false)).getMessage());
    assertTrue(assertThrows(InvalidInputException.class, () -> DeepDream.dream(MODEL, TinyModels.preprocessing(), "stage7", image(),
        options, StepListener.NONE, () -> false)).getMessage().startsWith("unknown layer 'stage7'"));
    assertThrows(IllegalArgumentException.class, () -> options.withOctaveScale(1));
  }
}
