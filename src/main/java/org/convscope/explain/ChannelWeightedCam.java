package org.convscope.explain;

import org.convscope.tensor.Tensor;

/**
 * What every class activation map shares: ReLU of the layer's activations weighted by channel,
 * {@code relu(sum_k w_k * A_k)}, at the layer's resolution. A method only says how it weights the channels,
 * with one weight per channel or, as LayerCAM, one per channel and position.
 */
public abstract class ChannelWeightedCam implements Explainer {

  @Override
  public final MapKind kind() {
    return MapKind.LAYER;
  }

  @Override
  public final Attribution explain(Query query) {
    Layer layer = query.layer();
    Tensor activations = query.value(layer.tensor());
    return new Attribution(name(), kind(), weightedSum(activations, channelWeights(query, layer, activations)));
  }

  /**
   * The channel weights for each item's target class: shape (N,K), one per channel, or (N,K,h,w), one per
   * channel and position.
   *
   * @param activations the layer's output for the query's batch, (N,K,h,w)
   */
  protected abstract Tensor channelWeights(Query query, Layer layer, Tensor activations);

  /** {@code relu(sum_k w_k * A_k)} for each item, shape (N,h,w). */
  static Tensor weightedSum(Tensor activations, Tensor weights) {
    int n = activations.dim(0);
    int k = activations.dim(1);
    int plane = activations.dim(2) * activations.dim(3);
    boolean perPosition = weights.rank() == 4;
    float[] a = activations.data();
    float[] w = weights.data();
    float[] cam = new float[n * plane];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        int from = (i * k + c) * plane;
        for (int p = 0; p < plane; p++) {
          cam[i * plane + p] += (perPosition ? w[from + p] : w[i * k + c]) * a[from + p];
        }
      }
      for (int p = 0; p < plane; p++) cam[i * plane + p] = Math.max(0f, cam[i * plane + p]);
    }
    return Tensor.of(cam, n, activations.dim(2), activations.dim(3));
  }
}
