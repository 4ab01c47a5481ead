package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.ops.StandardOps;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The layer class activation maps use when none is named: the feature map the head pools. */
class DefaultLayerTest {
  private static final Tensor X = TinyNets.random(4, 2, 2, 4, 4);

  private static String defaultLayer(GraphBuilder b, String head, Tensor input) {
    b.initializer("fc.weight", TinyNets.random(5, 3, 2));
    String y = b.node("Gemm", "/fc/Gemm", List.of(head, "fc.weight"), Map.of("transB", 1L));
    b.output(y);
    Model model = new Model(b.build(StandardOps.registry()), "default-layer");
    return Query.predicted(model, input, null).layer().tensor();
  }

  /**
   * ConvNeXt's classifier pools to [N,C,1,1], then permutes to [N,1,1,C] for a layer norm: a shape with "space"
   * of 1 x C, computed from pooled values only. The maps belong on the features before the pooling.
   */
  @Test
  void aPermutedPooledTensorIsNoFeatureMap() {
    GraphBuilder b = new GraphBuilder("convnext-head", 13);
    String x = b.input("input", -1, 2, 4, 4);
    String features = b.node("Relu", "/features/Relu", List.of(x), Map.of());
    String pooled = b.node("GlobalAveragePool", "/avgpool/GlobalAveragePool", List.of(features), Map.of());
    String nhwc = b.node("Transpose", "/classifier/classifier.0/Transpose", List.of(pooled),
        Map.of("perm", new long[] {0, 2, 3, 1}));
    // A layer norm written out squares with a Constant exponent, which comes from no input.
    String two = b.node("Constant", "/classifier/classifier.0/Constant", List.of(), Map.of("value", Tensor.scalar(2f)));
    String squared = b.node("Pow", "/classifier/classifier.0/Pow", List.of(nhwc, two), Map.of());
    String normed = b.node("Relu", "/classifier/classifier.0/Relu", List.of(squared), Map.of());
    String flat = b.node("Flatten", "/classifier/classifier.1/Flatten", List.of(normed), Map.of());
    assertEquals("/features/Relu_output_0", defaultLayer(b, flat, X));
  }

  /** Squeeze-and-excitation pools too, but its product is a feature map again, and the head's pooling comes last. */
  @Test
  void squeezeAndExcitationDoesNotHideTheLastFeatureMap() {
    GraphBuilder b = new GraphBuilder("se", 13);
    String x = b.input("input", -1, 2, 4, 4);
    String features = b.node("Relu", "/features/Relu", List.of(x), Map.of());
    String squeezed = b.node("GlobalAveragePool", "/se/GlobalAveragePool", List.of(features), Map.of());
    String scale = b.node("Sigmoid", "/se/Sigmoid", List.of(squeezed), Map.of());
    String excited = b.node("Mul", "/se/Mul", List.of(features, scale), Map.of());
    String pooled = b.node("GlobalAveragePool", "/avgpool/GlobalAveragePool", List.of(excited), Map.of());
    String flat = b.node("Flatten", "/flatten/Flatten", List.of(pooled), Map.of());
    assertEquals("/se/Mul_output_0", defaultLayer(b, flat, X));
  }
}
