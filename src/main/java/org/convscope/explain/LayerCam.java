package org.convscope.explain;

import org.convscope.engine.BackwardRules;
import org.convscope.tensor.Tensor;

/**
 * LayerCAM: Jiang, Zhang, Hou, Cheng and Wei, "LayerCAM: Exploring Hierarchical Class Activation Maps for
 * Localization", IEEE Transactions on Image Processing 30, 2021. Each position of each channel is weighted by
 * the positive part of the target score's gradient there, so the map keeps fine detail at shallow layers too.
 */
public final class LayerCam extends ChannelWeightedCam {
  public static final String NAME = "layercam";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Tensor channelWeights(Query query, Layer layer, Tensor activations) {
    float[] g = query.gradient(BackwardRules.DEFAULT, layer.tensor()).data();
    float[] w = new float[g.length];
    for (int i = 0; i < w.length; i++) w[i] = Math.max(0f, g[i]);
    return Tensor.of(w, activations.shape());
  }
}
