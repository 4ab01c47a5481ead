package org.convscope.explain;

import org.convscope.tensor.Tensor;

/**
 * Class activation mapping: Zhou, Khosla, Lapedriza, Oliva and Torralba, "Learning Deep Features for
 * Discriminative Localization", CVPR 2016. For a model that ends in global average pooling then a linear
 * classifier, each channel of the pooled layer is weighted by the classifier's weight from that channel to the
 * target class. Other models get a clear error. With those models CAM is Grad-CAM times the layer's number of
 * positions.
 */
public final class Cam extends ChannelWeightedCam {
  public static final String NAME = "cam";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Tensor channelWeights(Query query, Layer layer, Tensor activations) {
    Tensor head = LinearHead.weights(query, layer);
    int n = activations.dim(0);
    int k = activations.dim(1);
    float[] w = new float[n * k];
    for (int i = 0; i < n; i++) {
      System.arraycopy(head.data(), query.target(i) * k, w, i * k, k);
    }
    return Tensor.of(w, n, k);
  }
}
