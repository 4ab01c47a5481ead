package org.convscope.explain;

import org.convscope.engine.BackwardRules;
import org.convscope.engine.ops.Relu;

/**
 * Deconvnet: Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014. The input
 * gradient of the target score with every ReLU passing back the positive part of its gradient, whatever its
 * forward input was ({@link Relu#DECONVNET}). The rule is an override for one backward pass; the model is not
 * changed.
 *
 * <p>Only ReLU (the ONNX {@code Relu} op) gets the rule. ReLU6 and other clipped or leaky activations (MobileNet's
 * {@code Clip} with min 0, {@code LeakyRelu}, {@code HardSwish}) keep their true gradient, as in Captum and in
 * PyTorch implementations that hook {@code nn.ReLU} modules: {@code nn.ReLU6} is not an {@code nn.ReLU}, so a
 * network built of ReLU6 only, such as MobileNetV2, gets its plain gradient (saliency) here, as it does there.
 * The reference script for the fixtures ({@code ../shared/peer/make_fixtures.py}) swaps {@code nn.ReLU} modules
 * alone, the same convention.
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
  public Attribution explain(Query query) {
    return new Attribution(NAME, kind(), query.gradient(RULES, query.model().input()));
  }
}
