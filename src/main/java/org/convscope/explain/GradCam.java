package org.convscope.explain;

import org.convscope.engine.BackwardRules;
import org.convscope.tensor.Tensor;

/**
 * Grad-CAM: Selvaraju, Cogswell, Das, Vedantam, Parikh and Batra, "Grad-CAM: Visual Explanations from Deep
 * Networks via Gradient-based Localization", ICCV 2017. Each channel is weighted by the mean over positions of
 * the target score's gradient with respect to it.
 */
public final class GradCam extends ChannelWeightedCam {
  public static final String NAME = "gradcam";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Tensor channelWeights(Query query, Layer layer, Tensor activations) {
    float[] g = query.gradient(BackwardRules.DEFAULT, layer.tensor()).data();
    int nk = activations.dim(0) * activations.dim(1);
    int plane = activations.dim(2) * activations.dim(3);
    float[] w = new float[nk];
    for (int i = 0; i < nk; i++) {
      double sum = 0;
      for (int p = 0; p < plane; p++) sum += g[i * plane + p];
      w[i] = (float) (sum / plane);
    }
    return Tensor.of(w, activations.dim(0), activations.dim(1));
  }
}
