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

  /**
   * A closed query, its recorded activations freed, explains as before: what it needs is computed again, node
   * by node, unfused, which rounds otherwise than the fused pass, and a ReLU whose input sits within rounding of 0
   * may then pass another gradient: the maps agree in norm (0.2% on this random network).
   */
  @Test
  void aClosedQueryStillExplains() {
    Attribution open;
    try (Query query = Query.forClass(RESNET, BATCH, 4, null)) {
      open = Explainers.create("saliency").explain(query);
    }
    Query closed = Query.forClass(RESNET, BATCH, 4, null);
    closed.close();
    for (String method : new String[] {"saliency", "guided-backprop", "gradcam"}) {
      Attribution fresh;
      try (Query query = Query.forClass(RESNET, BATCH, 4, null)) {
        fresh = Explainers.create(method).explain(query);
      }
      Fixtures.assertCloseInNorm(fresh.map().data(), Explainers.create(method).explain(closed).map().data(), 1e-2,
          method);
    }
    Fixtures.assertCloseInNorm(open.map().data(), Explainers.create("saliency").explain(closed).map().data(), 1e-2,
        "saliency");
  }
}
