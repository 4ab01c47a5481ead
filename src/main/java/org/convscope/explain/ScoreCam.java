package org.convscope.explain;

import java.util.ArrayList;
import java.util.List;
import org.convscope.engine.InvalidInputException;
import org.convscope.input.Bilinear;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/**
 * Score-CAM: Wang, Wang, Du, Yang, Zhang, Ding, Mardziel and Hu, "Score-CAM: Score-Weighted Visual
 * Explanations for Convolutional Neural Networks", CVPR workshops 2020. Each channel is upsampled bilinearly to
 * the input's size, scaled to [0, 1] and used as a mask on the input; its weight is the target class's softmax
 * probability for the masked input. No gradients. Channels that are constant over space carry no location and
 * would make a 0/0 mask; they get weight zero without a forward pass. The masked inputs run in batches.
 */
public final class ScoreCam extends ChannelWeightedCam {
  public static final String NAME = "scorecam";

  /** @param batchSize masked inputs per forward pass */
  public record Options(int batchSize) {
    public Options {
      if (batchSize < 1) throw new InvalidInputException("Score-CAM batch size must be at least 1, got " + batchSize);
    }

    public static Options defaults() {
      return new Options(16);
    }
  }

  private final Options options;

  public ScoreCam(Options options) {
    this.options = options;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Tensor channelWeights(Query query, Layer layer, Tensor activations) {
    Model model = query.model();
    Tensor batch = query.batch();
    int n = activations.dim(0);
    int k = activations.dim(1);
    int h = activations.dim(2);
    int w = activations.dim(3);
    int height = batch.dim(2);
    int width = batch.dim(3);
    int channels = batch.dim(1);
    int plane = height * width;
    int item = channels * plane;
    float[] a = activations.data();
    float[] x = batch.data();
    List<Integer> varying = new ArrayList<>(); // the (item * k + channel) maps that are not constant
    for (int m = 0; m < n * k; m++) {
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int p = m * h * w; p < (m + 1) * h * w; p++) {
        min = Math.min(min, a[p]);
        max = Math.max(max, a[p]);
      }
      if (max > min) varying.add(m);
    }
    float[] weights = new float[n * k];
    int classes = query.logits().dim(1);
    Perturbations.outputs(model, Perturbations.itemShape(batch), varying.size(), options.batchSize(),
        (variant, dst, offset) -> {
          int m = varying.get(variant);
          float[] mask = normalizedMask(a, m, h, w, height, width);
          int from = (m / k) * item;
          for (int c = 0; c < channels; c++) {
            for (int p = 0; p < plane; p++) dst[offset + c * plane + p] = x[from + c * plane + p] * mask[p];
          }
        },
        (variant, out, offset) -> {
          int m = varying.get(variant);
          weights[m] = (float) Scores.probability(model, out, offset, classes, query.target(m / k));
        }, query.progress());
    return Tensor.of(weights, n, k);
  }

  /** Map {@code m} of the activations upsampled to the input's size and scaled to [0, 1]. */
  private static float[] normalizedMask(float[] activations, int m, int h, int w, int height, int width) {
    float[] map = new float[h * w];
    System.arraycopy(activations, m * h * w, map, 0, h * w);
    float[] up = Bilinear.resize(map, 1, h, w, height, width);
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : up) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float range = max - min;
    for (int p = 0; p < up.length; p++) up[p] = range > 0 ? (up[p] - min) / range : 0f;
    return up;
  }
}
