package org.convscope.explain;

import org.convscope.engine.BackwardRules;
import org.convscope.engine.ops.Relu;

/**
 * Deconvnet: Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014. The input
 * gradient of the target score with every ReLU passing back the positive part of its gradient, whatever its
 * forward input was ({@link Relu#DECONVNET}). The rule is an override for one backward pass; the model is not
 * changed.
 */
public final class Deconvnet implements Explainer {
  public static final String NAME = "deconvnet";
  /** ReLU's deconvnet rule; one shared instance, so queries cache its gradients. */
  public static final BackwardRules RULES = BackwardRules.DEFAULT.with("Relu", Relu.DECONVNET);

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
    return false;
  }

  @Override
  public Attribution explain(Query query) {
    return new Attribution(NAME, kind(), query.gradient(RULES, query.model().input()));
  }
}
