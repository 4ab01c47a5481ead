package org.convscope.explain;

import org.convscope.engine.BackwardRules;
import org.convscope.tensor.Tensor;

/**
 * Grad-CAM++: Chattopadhay, Sarkar, Howlader and Balasubramanian, "Grad-CAM++: Generalized Gradient-Based
 * Visual Explanations for Deep Convolutional Networks", WACV 2018. Each channel is weighted by
 * {@code sum_ij alpha_ij relu(g_ij)} with {@code alpha_ij = g_ij^2 / (2 g_ij^2 + sum_ab A_ab g_ij^3)}, where g is
 * the target score's gradient: the paper's closed form for an exponential of the score (its equation 19), whose
 * higher derivatives are powers of the first. Positions where the denominator is zero get alpha zero.
 */
public final class GradCamPlusPlus extends ChannelWeightedCam {
  public static final String NAME = "gradcam++";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Tensor channelWeights(Query query, Layer layer, Tensor activations) {
    float[] a = activations.data();
    float[] g = query.gradient(BackwardRules.DEFAULT, layer.tensor()).data();
    int nk = activations.dim(0) * activations.dim(1);
    int plane = activations.dim(2) * activations.dim(3);
    float[] w = new float[nk];
    for (int i = 0; i < nk; i++) {
      int from = i * plane;
      double sumA = 0;
      for (int p = 0; p < plane; p++) sumA += a[from + p];
      double weight = 0;
      for (int p = 0; p < plane; p++) {
        double gp = g[from + p];
        double g2 = gp * gp;
        double denominator = 2 * g2 + sumA * g2 * gp;
        double alpha = denominator != 0 ? g2 / denominator : 0;
        weight += alpha * Math.max(0, gp);
      }
      w[i] = (float) weight;
    }
    return Tensor.of(w, activations.dim(0), activations.dim(1));
  }
}
