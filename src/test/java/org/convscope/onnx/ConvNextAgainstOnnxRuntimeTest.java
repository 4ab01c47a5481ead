package org.convscope.onnx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * torchvision's convnext_tiny, whose Linear layers are MatMuls on channels-last 4-D tensors between Transposes:
 * logits against ONNX Runtime's and PyTorch's, and the input gradient of the top logit against PyTorch's. Runs
 * where the export of {@code bench/export_torchvision.py} lies in /tmp/tv-onnx (not on CI); skipped elsewhere.
 */
class ConvNextAgainstOnnxRuntimeTest {
  private static final Path DIR = Path.of("/tmp/tv-onnx/opset13/convnext_tiny");

  @Test
  void logitsAndSaliencyMatch() throws Exception {
    assumeTrue(Files.exists(DIR.resolve("model.onnx")) && Files.exists(DIR.resolve("input.npy")),
        "no convnext_tiny export in " + DIR);
    Network network = new Network(OnnxImporter.load(DIR.resolve("model.onnx")));
    Tensor input = Npy.readFloat(DIR.resolve("input.npy"));
    Trace trace = network.forward(Map.of(network.inputName(), input), ForwardOptions.forBackward());
    Tensor logits = trace.get(network.outputName());

    float[] expected = onnxRuntime(input);
    Fixtures.assertClose(expected, logits.data(), "logits vs ONNX Runtime");
    // A run that records nothing keeps the blocks in oneDNN's memory from one convolution to the next.
    Fixtures.assertClose(expected, network.predict(input).data(), "unrecorded logits vs ONNX Runtime");
    Tensor pytorch = Npy.readFloat(DIR.resolve("logits.npy"));
    Fixtures.assertClose(pytorch.data(), logits.data(), "logits vs PyTorch");

    Path saliency = DIR.resolve("saliency.npy");
    if (!Files.exists(saliency)) return;
    Tensor seed = Tensor.zeros(logits.shape());
    seed.data()[argmax(pytorch.data())] = 1;
    Tensor gradient = network.backward(trace, Map.of(network.outputName(), seed), List.of(network.inputName()),
        BackwardRules.DEFAULT).get(network.inputName());
    Fixtures.assertClose(Npy.readFloat(saliency).data(), gradient.data(), 1e-3, 0, "input gradient vs PyTorch");
  }

  private static float[] onnxRuntime(Tensor input) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] shape = new long[input.rank()];
    for (int i = 0; i < shape.length; i++) shape[i] = input.dim(i);
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(2);
      try (OrtSession session = env.createSession(DIR.resolve("model.onnx").toString(), options);
          OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), shape);
          OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), x))) {
        FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
      }
    }
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }
}
