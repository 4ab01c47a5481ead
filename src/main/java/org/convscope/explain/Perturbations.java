package org.convscope.explain;

import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/**
 * Runs many variants of a query's inputs (occluded, masked, noisy, scaled) through the model in forward passes
 * of a bounded batch size, building each variant only when its batch runs, so memory stays bounded too.
 */
final class Perturbations {
  private Perturbations() {}

  /** Writes variant {@code variant}, shaped like one input item, into {@code dst} at {@code offset}. */
  @FunctionalInterface
  interface Filler {
    void fill(int variant, float[] dst, int offset);
  }

  /** Receives a variant's row of results: its outputs, or its input gradient, starting at {@code offset}. */
  @FunctionalInterface
  interface Receiver {
    void accept(int variant, float[] values, int offset);
  }

  /** Runs {@code count} variants forward and hands each one's output row to {@code outputs}. */
  static void outputs(Model model, int[] itemShape, int count, int batchSize, Filler filler, Receiver outputs,
      Progress progress) {
    int itemSize = itemShape[0] * itemShape[1] * itemShape[2];
    for (int start = 0; start < count; start += batchSize) {
      int n = Math.min(batchSize, count - start);
      Tensor out = model.network().predict(build(itemShape, itemSize, start, n, filler));
      int classes = Scores.classes(model, out);
      for (int i = 0; i < n; i++) outputs.accept(start + i, out.data(), i * classes);
      progress.update(start + n, count);
    }
  }

  /**
   * Runs {@code count} variants forward and backward and hands each one's input gradient of its target class's
   * score to {@code gradients}. Only the input gradient is computed, no parameter gradients.
   */
  static void inputGradients(Model model, int[] itemShape, int count, int batchSize, Filler filler,
      IntUnaryOperator target, Receiver gradients, Progress progress) {
    Network network = model.network();
    int itemSize = itemShape[0] * itemShape[1] * itemShape[2];
    for (int start = 0; start < count; start += batchSize) {
      int n = Math.min(batchSize, count - start);
      Tensor grad;
      try (Trace trace = network.forward(Map.of(model.input(), build(itemShape, itemSize, start, n, filler)),
          ForwardOptions.forBackward())) {
        int classes = Scores.classes(model, trace.get(model.output()));
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) targets[i] = target.applyAsInt(start + i);
        Map<String, Tensor> seeds = Map.of(model.output(), Scores.oneHot(targets, classes));
        grad = network.backward(trace, seeds, List.of(model.input()), BackwardRules.DEFAULT).get(model.input());
      }
      for (int i = 0; i < n; i++) gradients.accept(start + i, grad.data(), i * itemSize);
      progress.update(start + n, count);
    }
  }

  private static Tensor build(int[] itemShape, int itemSize, int start, int n, Filler filler) {
    float[] data = new float[n * itemSize];
    for (int i = 0; i < n; i++) filler.fill(start + i, data, i * itemSize);
    return Tensor.of(data, n, itemShape[0], itemShape[1], itemShape[2]);
  }

  /** The shape of one item of a batch: (C,H,W). */
  static int[] itemShape(Tensor batch) {
    return new int[] {batch.dim(1), batch.dim(2), batch.dim(3)};
  }
}
