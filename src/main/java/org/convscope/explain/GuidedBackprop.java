package org.convscope.explain;

import org.convscope.engine.BackwardRules;
import org.convscope.engine.ops.Relu;

/**
 * Guided backpropagation: Springenberg, Dosovitskiy, Brox and Riedmiller, "Striving for Simplicity: The All
 * Convolutional Net", ICLR 2015 workshop. The input gradient of the target score with every ReLU passing back
 * only positive gradient, and only where its forward input was positive ({@link Relu#GUIDED}). The rule is an
 * override for one backward pass; the model is not changed.
 */
public final class GuidedBackprop implements Explainer {
  public static final String NAME = "guided-backprop";
  /** ReLU's guided rule; one shared instance, so queries cache its gradients. */
  public static final BackwardRules RULES = BackwardRules.DEFAULT.with("Relu", Relu.GUIDED);

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
