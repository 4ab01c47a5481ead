package org.convscope.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convscope.data.InMemoryDataset;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.InvalidInputException;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.model.Predictions;
import org.convscope.tensor.Tensor;
import org.convscope.train.Architecture;
import org.junit.jupiter.api.Test;

/** Features against the layer's activations read directly from a forward pass. */
class FeatureExtractorTest {
  private static final int N = 5;

  private static Model tinyModel() {
    Map<String, String> metadata = ModelPreprocessing.toMetadata(
        new Preprocessing(new Preprocessing.To(12, 12), 1, List.of(0.5f), List.of(0.25f)));
    return new Model(Architecture.tiny(1, 12, 12, 3).build(7, new java.util.HashMap<>(metadata)), "tiny");
  }

  private static Tensor images() {
    Random random = new Random(1);
    float[] x = new float[N * 144];
    for (int i = 0; i < x.length; i++) x[i] = random.nextFloat();
    return Tensor.of(x, N, 1, 12, 12);
  }

  /** The stage2 maps [N,16,6,6] of the normalized images. */
  private static Tensor stage2(Model model, Tensor normalized) {
    String tensor = model.resolveLayer("stage2");
    return model.network().forward(Map.of(model.input(), normalized), ForwardOptions.keeping(tensor)).get(tensor);
  }

  private static Tensor normalized(Tensor x) {
    float[] v = x.data().clone();
    for (int i = 0; i < v.length; i++) v[i] = (v[i] - 0.5f) / 0.25f;
    return Tensor.of(v, x.shape());
  }

  @Test
  void theDefaultLayerIsTheFinalLinearLayersInputAndPoolsLikeGlobalAveragePooling() {
    Model model = tinyModel();
    FeatureExtractor extractor = new FeatureExtractor(model, FeatureOptions.defaults());
    assertEquals("/flatten/Flatten_output_0", extractor.tensor());
    assertEquals("input of /fc/Gemm", extractor.layer());
    Tensor input = normalized(images());
    FeatureExtractor.Features features = extractor.features(input);
    Tensor maps = stage2(model, input);
    float[] m = maps.data();
    for (int b = 0; b < N; b++) {
      float[] expected = new float[16];
      for (int c = 0; c < 16; c++) {
        double s = 0;
        for (int p = 0; p < 36; p++) s += m[(b * 16 + c) * 36 + p];
        expected[c] = (float) (s / 36);
      }
      assertArrayEquals(expected, features.vectors()[b], 1e-5f, "image " + b);
    }
    assertArrayEquals(Predictions.argmax(model.network().predict(input)), features.predicted());
  }

  @Test
  void maxAndFlatPoolingReadTheMapsDirectly() {
    Model model = tinyModel();
    Tensor input = normalized(images());
    float[] m = stage2(model, input).data();
    FeatureExtractor.Features max = new FeatureExtractor(model, new FeatureOptions("stage2", Pooling.MAX, 8)).features(input);
    FeatureExtractor.Features flat = new FeatureExtractor(model, new FeatureOptions("stage2", Pooling.FLAT, 8)).features(input);
    for (int b = 0; b < N; b++) {
      for (int c = 0; c < 16; c++) {
        float best = Float.NEGATIVE_INFINITY;
        for (int p = 0; p < 36; p++) best = Math.max(best, m[(b * 16 + c) * 36 + p]);
        assertEquals(best, max.vectors()[b][c], "max of channel " + c);
      }
      assertArrayEquals(java.util.Arrays.copyOfRange(m, b * 576, (b + 1) * 576), flat.vectors()[b]);
    }
  }

  @Test
  void extractionOverADatasetNormalizesWithTheModelsStatistics() throws IOException {
    Model model = tinyModel();
    FeatureExtractor extractor = new FeatureExtractor(model, new FeatureOptions(null, Pooling.AVG, 2));
    Tensor raw = images();
    InMemoryDataset data = new InMemoryDataset("random", raw, new int[] {0, 1, 2, 0, 1}, List.of("a", "b", "c"));
    List<float[]> vectors = new ArrayList<>();
    List<Integer> order = new ArrayList<>();
    extractor.extract(data, new int[] {4, 0, 2}, (batch, features) -> {
      for (int i = 0; i < batch.size(); i++) {
        vectors.add(features.vectors()[i]);
        order.add(batch.indices()[i]);
      }
    }, () -> false);
    assertEquals(List.of(4, 0, 2), order);
    FeatureExtractor.Features direct = extractor.features(normalized(raw));
    assertArrayEquals(direct.vectors()[4], vectors.get(0), 1e-6f);
    assertArrayEquals(direct.vectors()[2], vectors.get(2), 1e-6f);
    assertEquals(16, extractor.dimension(data));
  }

  @Test
  void anUnknownLayerNamesTheClosestOnes() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> new FeatureExtractor(tinyModel(), new FeatureOptions("stage9", Pooling.AVG, 1)));
    assertTrue(e.getMessage().startsWith("unknown layer 'stage9'; closest names: stage1, stage2"), e.getMessage());
  }
}
