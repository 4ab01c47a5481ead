package org.convscope.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.convscope.tensor.Tensor;

/** Turning logits into ranked class probabilities. */
public final class Predictions {
  private Predictions() {}

  /** A class with its softmax probability and raw logit. */
  public record Entry(int index, double probability, float logit) {}

  /** The {@code k} most probable classes of row {@code row} of a [N,K] logits tensor. */
  public static List<Entry> top(Tensor logits, int row, int k) {
    int classes = logits.dim(1);
    float[] z = logits.data();
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < classes; j++) max = Math.max(max, z[row * classes + j]);
    double sum = 0;
    for (int j = 0; j < classes; j++) sum += Math.exp(z[row * classes + j] - max);
    List<Entry> all = new ArrayList<>(classes);
    for (int j = 0; j < classes; j++) {
      float logit = z[row * classes + j];
      all.add(new Entry(j, Math.exp(logit - max) / sum, logit));
    }
    all.sort(Comparator.comparingDouble(Entry::logit).reversed());
    return all.subList(0, Math.min(k, classes));
  }

  /** The arg max of each row. */
  public static int[] argmax(Tensor logits) {
    int n = logits.dim(0);
    int classes = logits.dim(1);
    float[] z = logits.data();
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 1; j < classes; j++) if (z[i * classes + j] > z[i * classes + out[i]]) out[i] = j;
    }
    return out;
  }
}
