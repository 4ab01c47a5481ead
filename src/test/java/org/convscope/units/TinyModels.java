package org.convscope.units;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.data.InMemoryDataset;
import org.convscope.engine.ForwardOptions;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.convscope.train.Architecture;

/**
 * Small models and datasets for the tests: {@link Architecture#tiny} on 12x12 grey images (layers stage1.relu1
 * [8,12,12], stage1.pool1 [8,6,6], stage2.relu1 [16,6,6], avgpool, fc with 3 classes) with random weights.
 */
final class TinyModels {
  static final int SIZE = 12;

  private TinyModels() {}

  static Model tiny(long seed) {
    return new Model(Architecture.tiny(1, SIZE, SIZE, 3).build(seed, Map.of()), "tiny");
  }

  /** Normalization that is not the identity, so that tests see it applied. */
  static Preprocessing preprocessing() {
    return new Preprocessing(new Preprocessing.Keep(), 1, List.of(0.5f), List.of(0.25f));
  }

  /** Random pixels in [0,1], labels 0, 1, 2 in turn. */
  static InMemoryDataset data(int n, long seed) {
    Random random = new Random(seed);
    float[] pixels = new float[n * SIZE * SIZE];
    for (int i = 0; i < pixels.length; i++) pixels[i] = random.nextFloat();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = i % 3;
    return new InMemoryDataset("random", Tensor.of(pixels, n, 1, SIZE, SIZE), labels, List.of("a", "b", "c"));
  }

  /** A layer's activations for every image, computed with the whole model, independently of {@link LayerCut}. */
  static Tensor activations(Model model, Dataset data, String layer) throws Exception {
    String tensor = model.resolveLayer(layer);
    Batch all = data.batch(java.util.stream.IntStream.range(0, data.size()).toArray());
    float[] x = all.images().data().clone();
    for (int i = 0; i < x.length; i++) x[i] = (x[i] - 0.5f) / 0.25f;
    return model.network().forward(Map.of(model.input(), Tensor.of(x, all.images().shape())), ForwardOptions.keeping(tensor)).get(tensor);
  }
}
