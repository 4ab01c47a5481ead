package org.convscope.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convscope.data.Dataset;
import org.convscope.data.FashionMnist;
import org.convscope.data.InMemoryDataset;
import org.convscope.engine.ArrayPool;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Graph;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TrainerTest {
  private static final float[] GREY_MEAN = {0.5f};
  private static final float[] GREY_STD = {0.5f};

  /** Class 0: a bright blob in the top half; class 1: in the bottom half; noise elsewhere. */
  private static Dataset separable(int n, long seed) {
    Random r = new Random(seed);
    Tensor x = Tensor.zeros(n, 1, 12, 12);
    int[] labels = new int[n];
    float[] d = x.data();
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      int cy = labels[i] == 0 ? 2 + r.nextInt(3) : 7 + r.nextInt(3);
      int cx = 1 + r.nextInt(9);
      for (int y = 0; y < 12; y++) {
        for (int xx = 0; xx < 12; xx++) {
          boolean blob = Math.abs(y - cy) <= 1 && Math.abs(xx - cx) <= 1;
          d[i * 144 + y * 12 + xx] = blob ? 1f : 0.2f * r.nextFloat();
        }
      }
    }
    return new InMemoryDataset("separable", x, labels, List.of("top", "bottom"));
  }

  @Test
  void tinySeparableProblemReachesFullAccuracy() throws IOException {
    Graph graph = Architecture.tiny(1, 12, 12, 2).build(1, Map.of());
    Dataset train = separable(256, 1);
    Dataset test = separable(128, 2);
    TrainOptions options = new TrainOptions(8, 32, 0.01, "adam", 0, 3, false, GREY_MEAN, GREY_STD);
    List<Double> losses = new ArrayList<>();
    TrainingListener record = new TrainingListener() {
      @Override
      public void epochDone(int epoch, double meanLoss, double trainAccuracy, Evaluation heldOut) {
        losses.add(meanLoss);
      }
    };
    List<Integer> saved = new ArrayList<>();
    Trainer.Result result = Trainer.fit(graph, train, test, options, record, (g, epoch) -> saved.add(epoch), () -> false);
    assertEquals(1.0, result.heldOut().accuracy(), "held-out accuracy; confusion " + result.heldOut().format());
    assertTrue(losses.get(losses.size() - 1) < 0.5 * losses.get(0), "loss fell: " + losses);
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), saved, "a checkpoint after every epoch");
  }

  @Test
  void cancellationStopsBeforeTheNextStepAndKeepsTheLastEpoch() throws IOException {
    Graph graph = Architecture.tiny(1, 12, 12, 2).build(1, Map.of());
    int[] steps = {0};
    TrainingListener count = new TrainingListener() {
      @Override
      public void stepDone(int epoch, int step, double meanLoss, double accuracy, int examples) {
        steps[0]++;
      }
    };
    List<Integer> saved = new ArrayList<>();
    TrainOptions options = new TrainOptions(3, 32, 0.01, "sgd", 0, 3, true, GREY_MEAN, GREY_STD);
    Trainer.Result result = Trainer.fit(graph, separable(256, 1), null, options, count, (g, e) -> saved.add(e),
        () -> steps[0] >= 12);
    assertTrue(result.interrupted());
    assertEquals(1, result.epochsCompleted());
    assertEquals(List.of(1), saved);
  }

  @Test
  void lossFallsOnFashionMnist() throws IOException {
    Assumptions.assumeTrue(java.nio.file.Files.isDirectory(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist not installed");
    Dataset train = FashionMnist.open(FashionMnist.Split.TRAIN);
    int[] first = new int[2048];
    java.util.Arrays.setAll(first, i -> i);
    Dataset slice = new InMemoryDataset("slice", train.batch(first).images(), labels(train, 2048), train.classNames());
    Graph graph = Architecture.tiny(1, 28, 28, 10).build(1, Map.of());
    TrainOptions options = new TrainOptions(2, 64, 0.01, "adam", 1e-4, 1, false, new float[] {0.286f}, new float[] {0.353f});
    List<Double> losses = new ArrayList<>();
    Trainer.fit(graph, slice, null, options, new TrainingListener() {
      @Override
      public void stepDone(int epoch, int step, double meanLoss, double accuracy, int examples) {
        if (step == 3 && epoch == 0) losses.add(meanLoss);
      }

      @Override
      public void epochDone(int epoch, double meanLoss, double trainAccuracy, Evaluation heldOut) {
        losses.add(meanLoss);
      }
    }, (g, e) -> { }, () -> false);
    assertTrue(losses.get(2) < losses.get(0) * 0.8 && losses.get(2) < losses.get(1), "loss fell: " + losses);
  }

  /**
   * Training keeps oneDNN's first choice of implementation and reuses its arrays and native buffers from step to
   * step (an epoch of 150 ends with a smaller batch): two runs from one seed give the same model, bit for bit.
   */
  @Test
  void aSeedReproducesTheModelBitForBit() throws IOException {
    Map<String, Tensor> first = null;
    for (int run = 0; run < 2; run++) {
      Graph graph = Architecture.tiny(1, 12, 12, 2).build(7, Map.of());
      TrainOptions options = new TrainOptions(2, 32, 0.01, "adam", 1e-4, 5, true, GREY_MEAN, GREY_STD);
      Trainer.fit(graph, separable(150, 3), null, options, new TrainingListener() { }, (g, e) -> { }, () -> false);
      if (first == null) {
        first = graph.initializers();
        continue;
      }
      for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
        if (e.getValue().isFloat()) assertArrayEquals(first.get(e.getKey()).data(), e.getValue().data(), e.getKey());
      }
    }
  }

  /**
   * Steps that take their arrays from a pool, written over by each step, give the bits of steps with a fresh
   * pool: on odd sizes too (13 x 11 leaves a row and a column out of the 2x2 pooling windows, whose gradient
   * must be written as zeros over what the last step left there).
   */
  @Test
  void stepsOnRecycledArraysGiveTheBitsOfStepsOnFreshOnes() {
    Graph graph = Architecture.tiny(1, 13, 11, 3).build(1, Map.of());
    Network network = new Network(graph);
    java.util.Set<String> parameters = Trainer.trainableParameters(graph).keySet();
    ArrayPool arrays = new ArrayPool();
    for (int step = 0; step < 3; step++) {
      Tensor x = GradCheck.randn(10 + step, 0, 5, 1, 13, 11);
      Tensor seed = GradCheck.randn(20 + step, 0, 5, 3);
      Map<String, Tensor> fresh = gradients(network, x, seed, parameters, ForwardOptions.forTraining(new ArrayPool()));
      Map<String, Tensor> pooled = gradients(network, x, seed, parameters, ForwardOptions.forTraining(arrays));
      for (String name : fresh.keySet()) {
        assertArrayEquals(fresh.get(name).data(), pooled.get(name).data(), name + " at step " + step);
      }
      arrays.recycle();
    }
  }

  /** The gradients of the parameters and of the input. */
  private static Map<String, Tensor> gradients(Network network, Tensor x, Tensor seed,
      java.util.Set<String> parameters, ForwardOptions options) {
    Trace trace = network.forward(Map.of(network.inputName(), x), options);
    java.util.Set<String> wrt = new java.util.HashSet<>(parameters);
    wrt.add(network.inputName());
    Map<String, Tensor> grads = network.backward(trace, Map.of(network.outputName(), seed), wrt,
        BackwardRules.DEFAULT);
    trace.context().endStep();
    Map<String, Tensor> copies = new java.util.HashMap<>();
    grads.forEach((k, v) -> copies.put(k, Tensor.of(v.data().clone(), v.shape())));
    copies.put("logits", Tensor.of(trace.get(network.outputName()).data().clone(), seed.shape()));
    return copies;
  }

  private static int[] labels(Dataset d, int n) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) l[i] = d.label(i);
    return l;
  }
}
