package org.convscope.explain;

import org.convscope.tensor.Tensor;

/**
 * Guided Grad-CAM: Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
 * Localization", ICCV 2017, section 3.1. Guided backpropagation multiplied, pixel by pixel, by the Grad-CAM map
 * upsampled bilinearly to the input's size: fine detail, but only where the class is. Both parts come from the
 * query's one recorded forward pass.
 */
public final class GuidedGradCam implements Explainer {
  public static final String NAME = "guided-gradcam";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public MapKind kind() {
    return MapKind.INPUT;
  }

  @Override
  public boolean usesLayer() {
    return true;
  }

  @Override
  public Attribution explain(Query query) {
    Tensor batch = query.batch();
    int n = batch.dim(0);
    int channels = batch.dim(1);
    int plane = batch.dim(2) * batch.dim(3);
    float[] cam = new GradCam().explain(query).pixelMap(batch.dim(2), batch.dim(3)).data();
    float[] guided = query.gradient(GuidedBackprop.RULES, query.model().input()).data();
    float[] out = new float[guided.length];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        int from = (i * channels + c) * plane;
        for (int p = 0; p < plane; p++) out[from + p] = guided[from + p] * cam[i * plane + p];
      }
    }
    return new Attribution(NAME, kind(), Tensor.of(out, batch.shape()));
  }
}
