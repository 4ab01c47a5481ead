package org.convscope.train;

import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.engine.ArrayPool;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;

/**
 * Mini-batch training of a classifier graph with softmax cross-entropy. Weights are updated in place in the
 * graph's initializers; batch-norm running statistics follow the batches. A cosine schedule takes the learning
 * rate from its peak to zero over the run (Loshchilov and Hutter, "SGDR", ICLR 2017, without restarts).
 */
public final class Trainer {
  private static final int PAD = 2;

  private Trainer() {}

  /**
   * @param epochsCompleted whole epochs done; fewer than asked when interrupted
   * @param heldOut the evaluation after the last complete epoch, or null without a held-out set
   */
  public record Result(int epochsCompleted, boolean interrupted, Evaluation heldOut, double seconds) {}

  /** Receives the graph after every complete epoch, to save it. */
  @FunctionalInterface
  public interface Checkpoint {
    void save(Graph graph, int epoch) throws IOException;
  }

  public static Result fit(Graph graph, Dataset train, Dataset heldOut, TrainOptions options,
      TrainingListener listener, Checkpoint checkpoint, BooleanSupplier cancelled) throws IOException {
    checkChannels(train, options);
    Network network = new Network(graph);
    Map<String, Tensor> parameters = trainableParameters(graph);
    ArrayPool arrays = new ArrayPool();
    Optimizer optimizer = options.newOptimizer();
    int stepsPerEpoch = (train.size() + options.batchSize() - 1) / options.batchSize();
    long totalSteps = (long) stepsPerEpoch * options.epochs();
    long step = 0;
    long start = System.nanoTime();
    Random augmentation = new Random(options.seed() ^ 0x5DEECE66DL);
    Evaluation last = null;
    for (int epoch = 0; epoch < options.epochs(); epoch++) {
      listener.epochStarted(epoch, stepsPerEpoch);
      double lossSum = 0;
      int correct = 0;
      int seen = 0;
      int stepInEpoch = 0;
      for (Batch batch : train.shuffledBatches(options.batchSize(), options.seed() + epoch)) {
        if (cancelled.getAsBoolean()) return new Result(epoch, true, last, seconds(start));
        optimizer.learningRate(options.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step / totalSteps)));
        Tensor x = batch.images();
        if (options.augment()) x = augment(x, augmentation);
        normalize(x, options.mean(), options.std());
        SoftmaxCrossEntropy.Result loss;
        // The trace holds the step's activations in native memory; closing it hands them to the next step.
        try (Trace trace = network.forward(Map.of(network.inputName(), x), ForwardOptions.forTraining(arrays))) {
          try {
            loss = SoftmaxCrossEntropy.compute(trace.get(network.outputName()), batch.labels());
            Map<String, Tensor> grads = network.backward(trace, Map.of(network.outputName(), loss.gradient()),
                parameters.keySet(), BackwardRules.DEFAULT);
            optimizer.step(parameters, grads);
            trace.context().applyStateUpdates();
          } finally {
            trace.context().endStep(); // also when the step fails or is cancelled: what ops kept is native memory
          }
        }
        arrays.recycle(); // the step's activations and gradients: the next step writes over them
        lossSum += loss.loss() * batch.size();
        correct += loss.correct();
        seen += batch.size();
        step++;
        listener.stepDone(epoch, stepInEpoch++, lossSum / seen, (double) correct / seen, seen);
        if (!Double.isFinite(loss.loss())) {
          throw new IllegalStateException("the loss became " + loss.loss() + " at epoch " + (epoch + 1)
              + "; try a smaller --lr");
        }
      }
      last = heldOut == null ? null : evaluate(network, heldOut, options.mean(), options.std(), 256);
      listener.epochDone(epoch, lossSum / seen, (double) correct / seen, last);
      checkpoint.save(graph, epoch + 1);
    }
    return new Result(options.epochs(), false, last, seconds(start));
  }

  /** Accuracy and confusion matrix of a network on a labelled dataset. */
  public static Evaluation evaluate(Network network, Dataset data, float[] mean, float[] std, int batchSize) {
    int classes = Math.max(data.classNames().size(), 1);
    long[][] confusion = null;
    for (Batch batch : data.batches(batchSize)) {
      Tensor x = batch.images();
      normalize(x, mean, std);
      Tensor logits = network.predict(x);
      int k = logits.dim(1);
      if (confusion == null) confusion = new long[Math.max(k, classes)][Math.max(k, classes)];
      float[] z = logits.data();
      for (int b = 0; b < batch.size(); b++) {
        int label = batch.labels()[b];
        if (label < 0) throw new IllegalArgumentException(data.name() + " has no labels to evaluate against");
        int best = 0;
        for (int j = 1; j < k; j++) if (z[b * k + j] > z[b * k + best]) best = j;
        confusion[label][best]++;
      }
    }
    if (confusion == null) throw new IllegalArgumentException(data.name() + " is empty");
    return new Evaluation(data.classNames(), confusion);
  }

  /** Every float initializer except batch-norm running statistics, which training updates by averaging. */
  static Map<String, Tensor> trainableParameters(Graph graph) {
    Set<String> statistics = new HashSet<>();
    for (Node node : graph.nodes()) {
      if (node.opType().equals("BatchNormalization")) {
        statistics.add(node.input(3));
        statistics.add(node.input(4));
      }
    }
    Map<String, Tensor> parameters = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
      if (e.getValue().isFloat() && !statistics.contains(e.getKey())) parameters.put(e.getKey(), e.getValue());
    }
    return parameters;
  }

  /** (x - mean) / std per channel, in place: the batch owns its array. */
  static void normalize(Tensor x, float[] mean, float[] std) {
    int channels = x.dim(1);
    if (mean.length != channels) {
      throw new IllegalArgumentException("normalization has " + mean.length + " channels but the images have " + channels);
    }
    int plane = x.dim(2) * x.dim(3);
    float[] d = x.data();
    for (int i = 0; i < d.length; i++) {
      int c = (i / plane) % channels;
      d[i] = (d[i] - mean[c]) / std[c];
    }
  }

  /** Random crops from the image padded by {@value #PAD} pixels of zero, and random horizontal flips. */
  static Tensor augment(Tensor x, Random random) {
    int n = x.dim(0);
    int c = x.dim(1);
    int h = x.dim(2);
    int w = x.dim(3);
    float[] src = x.data();
    float[] out = new float[src.length];
    for (int b = 0; b < n; b++) {
      int dy = random.nextInt(2 * PAD + 1) - PAD;
      int dx = random.nextInt(2 * PAD + 1) - PAD;
      boolean flip = random.nextBoolean();
      for (int ch = 0; ch < c; ch++) {
        int base = (b * c + ch) * h * w;
        for (int y = 0; y < h; y++) {
          int sy = y + dy;
          if (sy < 0 || sy >= h) continue;
          for (int xx = 0; xx < w; xx++) {
            int sx = (flip ? w - 1 - xx : xx) + dx;
            if (sx >= 0 && sx < w) out[base + y * w + xx] = src[base + sy * w + sx];
          }
        }
      }
    }
    return Tensor.of(out, x.shape());
  }

  private static void checkChannels(Dataset data, TrainOptions options) {
    if (data.channels() != options.mean().length) {
      throw new IllegalArgumentException(data.name() + " has " + data.channels() + " channels but the normalization has "
          + options.mean().length);
    }
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /** The number of trainable weights. */
  public static long parameterCount(Graph graph) {
    long n = 0;
    for (Tensor t : trainableParameters(graph).values()) n += t.size();
    return n;
  }
}
