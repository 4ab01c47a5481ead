package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.ops.Relu;
import org.convscope.model.Model;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole torchvision networks from {@code ../shared/fixtures} against PyTorch's outputs (logits, the named
 * layer's activation, the saliency gradient, guided backpropagation and deconvnet) and against ONNX Runtime.
 */
class FixtureNetworksTest {
  static List<String> fixtures() {
    return Fixtures.names();
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void agreesWithPyTorch(String name) throws Exception {
    Path dir = Fixtures.dir(name);
    JsonNode manifest = Fixtures.manifest(name);
    Model model = Model.load(dir.resolve("model.onnx"));
    Network net = model.network();
    Tensor input = Npy.readFloat(dir.resolve("input.npy"));
    String layer = model.resolveLayer(manifest.get("layer_module").asText());
    if (manifest.has("layer_tensor")) {
      org.junit.jupiter.api.Assertions.assertEquals(manifest.get("layer_tensor").asText(), layer, "module path resolves as PyTorch names it");
    }
    Trace trace = net.forward(Map.of(model.input(), input), ForwardOptions.forBackward());
    Tensor logits = trace.get(model.output());
    Fixtures.assertClose(Npy.readFloat(dir.resolve("logits.npy")).data(), logits.data(), name + " logits");
    Tensor expectedLayer = Npy.readFloat(dir.resolve("layer.npy"));
    assertArrayEquals(expectedLayer.shape(), trace.get(layer).shape());
    Fixtures.assertClose(expectedLayer.data(), trace.get(layer).data(), name + " layer " + layer);

    int target = manifest.get("target").asInt();
    Tensor seed = Tensor.zeros(logits.shape());
    seed.data()[target] = 1;
    Map<String, BackwardRules> rules = Map.of(
        "saliency.npy", BackwardRules.DEFAULT,
        "guided.npy", BackwardRules.DEFAULT.with("Relu", Relu.GUIDED),
        "deconvnet.npy", BackwardRules.DEFAULT.with("Relu", Relu.DECONVNET));
    for (Map.Entry<String, BackwardRules> e : rules.entrySet()) {
      Path reference = dir.resolve(e.getKey());
      if (!Files.exists(reference)) continue;
      Tensor grad = net.backward(trace, Map.of(model.output(), seed), List.of(model.input()), e.getValue()).get(model.input());
      Fixtures.assertClose(Npy.readFloat(reference).data(), grad.data(), name + " " + e.getKey());
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void agreesWithOnnxRuntimeAtBatchThree(String name) throws Exception {
    Path file = Fixtures.dir(name).resolve("model.onnx");
    Model model = Model.load(file);
    Tensor input = GradCheck.randn(7, 0, 3, 3, 224, 224);
    Tensor ours = model.network().predict(input);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(2);
      try (OrtSession session = env.createSession(file.toString(), options);
          OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), new long[] {3, 3, 224, 224});
          OrtSession.Result result = session.run(Map.of(model.input(), x))) {
        FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] theirs = new float[buffer.remaining()];
        buffer.get(theirs);
        Fixtures.assertClose(theirs, ours.data(), name + " logits vs ONNX Runtime");
      }
    }
  }
}
