package org.convscope.explain;

import org.convscope.engine.BackwardRules;

/**
 * The gradient of the target score with respect to the input: Simonyan, Vedaldi and Zisserman, "Deep Inside
 * Convolutional Networks: Visualising Image Classification Models and Saliency Maps", ICLR 2014 workshop.
 * The raw, signed gradient; the paper's picture is its maximum absolute value over channels.
 */
public final class Saliency implements Explainer {
  public static final String NAME = "saliency";

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
    return new Attribution(NAME, kind(), query.gradient(BackwardRules.DEFAULT, query.model().input()));
  }
}
