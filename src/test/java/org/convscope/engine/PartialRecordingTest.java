package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.explain.Attribution;
import org.convscope.explain.Explainers;
import org.convscope.explain.Query;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs recorded for gradients to one tensor only ({@link ForwardOptions#forBackwardTo}) give the gradients and
 * activations of fully recorded runs, while the part before the tensor runs fused and keeps nothing.
 */
class PartialRecordingTest {
  private static final Model RESNET = Model.load(Fixtures.dir("resnet18_bn").resolve("model.onnx"));
  private static final Tensor BATCH = GradCheck.randn(5, 0, 2, 3, 224, 224);

  private static Map<String, Tensor> seeds(Network net, Trace trace) {
    Tensor logits = trace.get(net.outputName());
    Tensor seed = Tensor.zeros(logits.shape());
    seed.data()[3] = 1;
    seed.data()[logits.dim(1) + 7] = 1;
    return Map.of(net.outputName(), seed);
  }

  /**
   * Whole stages, a convolution inside a block (whose Add also reads a tensor from before it, which must be
   * kept) and the first block's output.
   */
  @ParameterizedTest
  @ValueSource(strings = {"layer4", "layer4.0.conv1", "layer3.1", "layer1.0"})
  void gradientsAndActivationsMatchAFullRecording(String layer) {
    Network net = RESNET.network();
    String tensor = RESNET.resolveLayer(layer);
    Map<String, Tensor> feeds = Map.of(net.inputName(), BATCH);
    Trace full = net.forward(feeds, ForwardOptions.forBackward());
    Trace partial = net.forward(feeds, ForwardOptions.forBackwardTo(tensor));

    assertClose(full.get(tensor), partial.get(tensor), layer + " activation");
    assertClose(full.get(net.outputName()), partial.get(net.outputName()), layer + " logits");
    Tensor expected = net.backward(full, seeds(net, full), List.of(tensor), BackwardRules.DEFAULT).get(tensor);
    Tensor got = net.backward(partial, seeds(net, partial), List.of(tensor), BackwardRules.DEFAULT).get(tensor);
    assertClose(expected, got, layer + " gradient");

    assertFalse(partial.has(net.inputName()), "the part before the layer keeps nothing");
    assertFalse(partial.isRecordedForAll());
    assertTrue(partial.allowsGradientFor(tensor));
  }

  @Test
  void aGradientBeforeTheRecordedTensorIsAClearError() {
    Network net = RESNET.network();
    String tensor = RESNET.resolveLayer("layer4");
    Trace partial = net.forward(Map.of(net.inputName(), BATCH), ForwardOptions.forBackwardTo(tensor));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> net.backward(partial, seeds(net, partial), List.of(net.inputName()), BackwardRules.DEFAULT));
    assertTrue(e.getMessage().contains("'" + net.inputName() + "'") && e.getMessage().contains(tensor), e.getMessage());

    String early = RESNET.resolveLayer("layer1");
    e = assertThrows(InvalidInputException.class, () -> net.backward(partial,
        Map.of(early, Tensor.zeros(1, 64, 56, 56)), List.of(tensor), BackwardRules.DEFAULT));
    assertTrue(e.getMessage().contains("did not keep"), e.getMessage());
    e = assertThrows(InvalidInputException.class,
        () -> net.forward(Map.of(net.inputName(), BATCH), ForwardOptions.forBackwardTo("no-such-tensor")));
    assertTrue(e.getMessage().contains("no-such-tensor"), e.getMessage());
  }

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
      assertClose(expected.map(), got.map(), method);
    }
  }

  /** Within 1e-4 of the largest magnitude: fused and plain convolutions round differently. */
  private static void assertClose(Tensor expected, Tensor got, String what) {
    assertArrayEquals(expected.shape(), got.shape(), what);
    float[] e = expected.data();
    float[] g = got.data();
    double scale = 0;
    for (float v : e) scale = Math.max(scale, Math.abs(v));
    assertTrue(scale > 0, what + " is all zeros");
    for (int i = 0; i < e.length; i++) {
      if (!(Math.abs(e[i] - g[i]) <= 1e-4 * scale)) {
        throw new AssertionError(what + ": " + g[i] + " at " + i + ", expected " + e[i] + " (max|e| " + scale + ")");
      }
    }
  }
}
