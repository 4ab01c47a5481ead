package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.model.Model;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gradient methods and Grad-CAM on whole torchvision networks against PyTorch's maps in
 * {@code ../shared/fixtures}, at the layer and target each manifest names, within the manifests' tolerance.
 */
class FixtureExplanationsTest {
  static List<String> fixtures() {
    return Fixtures.names();
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void mapsAgreeWithPyTorch(String name) throws Exception {
    Path dir = Fixtures.dir(name);
    JsonNode manifest = Fixtures.manifest(name);
    Model model = Model.load(dir.resolve("model.onnx"));
    Tensor input = Npy.readFloat(dir.resolve("input.npy"));
    int target = manifest.get("target").asInt();
    Query predicted = Query.predicted(model, input, null);
    assertEquals(target, predicted.target(0), "the fixtures explain the predicted class");

    // By default the layer is the one global pooling reads: the manifests' layer for ResNet and MobileNet,
    // SqueezeNet's final classifier convolution (after its ReLU) rather than its features.
    Layer chosen = predicted.layer();
    assertTrue(chosen.automatic());
    String pooling = model.graph().consumers(chosen.tensor()).get(0).opType();
    assertTrue(List.of("GlobalAveragePool", "ReduceMean").contains(pooling), name + ": " + chosen.describe() + " feeds " + pooling);
    assertEquals(name.startsWith("squeezenet") ? "classifier.2" : manifest.get("layer_module").asText(), chosen.name());

    Query query = predicted.atLayer(manifest.get("layer_module").asText());
    Map<String, Explainer> methods = Map.of(
        "saliency.npy", new Saliency(),
        "guided.npy", new GuidedBackprop(),
        "deconvnet.npy", new Deconvnet(),
        "gradcam.npy", new GradCam());
    int compared = 0;
    for (Map.Entry<String, Explainer> e : methods.entrySet()) {
      Path reference = dir.resolve(e.getKey());
      if (!Files.exists(reference)) continue;
      Tensor expected = Npy.readFloat(reference);
      Tensor got = e.getValue().explain(query).map();
      assertArrayEquals(expected.shape(), got.shape(), name + " " + e.getKey());
      for (float v : got.data()) assertTrue(Float.isFinite(v));
      Fixtures.assertClose(expected.data(), got.data(), name + " " + e.getValue().name());
      compared++;
    }
    assertTrue(compared >= 2, name + ": saliency and Grad-CAM at least");
  }

  /**
   * MobileNetV2 has ReLU6 (exported as Clip with min 0) and no ReLU. Captum and the fixtures' script override
   * {@code nn.ReLU} modules only, so there guided backpropagation and deconvnet are the plain gradient: both
   * must match PyTorch's saliency map.
   */
  @Test
  void reluSixKeepsItsTrueGradientAsInCaptum() throws Exception {
    String name = "mobilenet_v2";
    Assumptions.assumeTrue(Fixtures.names().contains(name), "the mobilenet_v2 fixture is not here");
    Path dir = Fixtures.dir(name);
    Model model = Model.load(dir.resolve("model.onnx"));
    assertTrue(model.graph().nodes().stream().noneMatch(n -> n.opType().equals("Relu")), "MobileNetV2 has no Relu");
    assertTrue(model.graph().nodes().stream().anyMatch(n -> n.opType().equals("Clip")), "its ReLU6 are Clip nodes");
    Query query = Query.predicted(model, Npy.readFloat(dir.resolve("input.npy")), null);
    Tensor saliency = Npy.readFloat(dir.resolve("saliency.npy"));
    for (Explainer method : List.of(new GuidedBackprop(), new Deconvnet())) {
      Fixtures.assertClose(saliency.data(), method.explain(query).map().data(), name + " " + method.name());
    }
  }
}
