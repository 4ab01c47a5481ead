package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.convscope.Fixtures;
import org.convscope.engine.GradCheck;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A query made for a named layer records its forward pass for gradients to that layer only. */
class QueryRecordingTest {
  private static final Model RESNET = Model.load(Fixtures.dir("resnet18_bn").resolve("model.onnx"));
  private static final Tensor BATCH = GradCheck.randn(5, 0, 2, 3, 224, 224);

  /**
   * A query for a named layer records for that layer only; Grad-CAM from it equals Grad-CAM from a fully
   * recorded query, and a method that needs the input gradient afterwards records the whole pass again.
   */
  @Test
  void aQueryForALayerExplainsAsAFullyRecordedOne() {
    Query partial = Query.forClass(RESNET, BATCH, 4, "layer4");
    Query full = Query.forClass(RESNET, BATCH, 4, null);
    assertArrayEquals(full.layer().shape(), partial.layer().shape());
    for (String method : new String[] {"gradcam", "gradcam++", "layercam", "cam", "guided-gradcam", "saliency"}) {
      Attribution expected = Explainers.create(method).explain(full);
      Attribution got = Explainers.create(method).explain(partial);
      // Within 1e-4 of the largest value: fused and plain convolutions round differently.
      Fixtures.assertClose(expected.map(), got.map(), 1e-4, method);
    }
  }
}
