package org.convscope.explain;

import org.convscope.engine.BackwardRules;
import org.convscope.tensor.Tensor;

/**
 * The input times the gradient of the target score, element by element: Shrikumar, Greenside, Shcherbina and
 * Kundaje, "Not Just a Black Box: Learning Important Features Through Propagating Activation Differences",
 * arXiv:1605.01713, 2016. For a network without biases made of ReLUs and linear layers it sums to the score.
 */
public final class InputXGradient implements Explainer {
  public static final String NAME = "input-x-gradient";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public MapKind kind() {
    return MapKind.INPUT;
  }

  @Override
  public Attribution explain(Query query) {
    float[] x = query.batch().data();
    float[] g = query.gradient(BackwardRules.DEFAULT, query.model().input()).data();
    float[] out = new float[x.length];
    for (int i = 0; i < out.length; i++) out[i] = x[i] * g[i];
    return new Attribution(NAME, kind(), Tensor.of(out, query.batch().shape()));
  }
}
