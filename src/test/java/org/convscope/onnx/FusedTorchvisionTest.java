package org.convscope.onnx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole torchvision networks whose activations and squeeze-and-excitation blocks fuse (SiLU, HardSwish and
 * HardSigmoid as exported at opset 13, Sigmoid, per-channel scaling of held tensors): the fused run against ONNX
 * Runtime and against the unfused run, and the fused recorded run's input gradient against the unfused one's.
 * Skipped where the exports in /tmp/tv-onnx are absent (as on CI).
 */
class FusedTorchvisionTest {

  @ParameterizedTest
  @ValueSource(strings = {"efficientnet_b0", "mobilenet_v3_large", "regnet_y_400mf"})
  void fusedRunsMatchOnnxRuntimeAndTheUnfusedRun(String name) throws OrtException {
    Path file = Path.of("/tmp/tv-onnx/opset13", name, "model.onnx");
    assumeTrue(Files.exists(file), "torchvision exports not present");
    Network net = new Network(OnnxImporter.load(file));
    for (int batch : new int[] {1, 2}) {
      Tensor x = GradCheck.randn(41, 0, batch, 3, 224, 224);
      Map<String, Tensor> feeds = Map.of(net.inputName(), x);
      Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(net.outputName());
      Fixtures.assertClose(onnxRuntime(file, x).data(), fused.data(), name + " against ONNX Runtime, batch " + batch);
      Trace plain = net.forward(feeds, unfused(net));
      Fixtures.assertClose(plain.get(net.outputName()), fused, 1e-5, name + " against unfused, batch " + batch);
      if (batch > 1) continue;
      Trace recorded = net.forward(feeds, ForwardOptions.forBackward());
      Fixtures.assertClose(plain.get(net.outputName()), recorded.get(net.outputName()), 1e-5, name + " recorded");
      Map<String, Tensor> seeds = Map.of(net.outputName(), GradCheck.randn(42, 0, fused.shape()));
      List<String> wrt = List.of(net.inputName());
      Tensor expected = net.backward(plain, seeds, wrt, BackwardRules.DEFAULT).get(net.inputName());
      Tensor got = net.backward(recorded, seeds, wrt, BackwardRules.DEFAULT).get(net.inputName());
      // In norm: a ReLU's mask may differ where rounding decides a pre-activation's sign.
      Fixtures.assertCloseInNorm(expected.data(), got.data(), 1e-2, name + " input gradient");
    }
  }

  /** A recorded run that keeps every tensor: kept tensors are never fused. */
  private static ForwardOptions unfused(Network net) {
    Set<String> all = new HashSet<>();
    for (Node node : net.graph().nodes()) all.addAll(node.outputs());
    all.remove("");
    return new ForwardOptions(all, true, false);
  }

  private static Tensor onnxRuntime(Path file, Tensor x) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] shape = new long[x.rank()];
    for (int k = 0; k < shape.length; k++) shape[k] = x.dim(k);
    try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
        OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape);
        OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
      OnnxTensor out = (OnnxTensor) result.get(0);
      FloatBuffer b = out.getFloatBuffer();
      float[] values = new float[b.remaining()];
      b.get(values);
      long[] s = out.getInfo().getShape();
      int[] dims = new int[s.length];
      for (int k = 0; k < s.length; k++) dims[k] = Math.toIntExact(s[k]);
      return Tensor.of(values, dims);
    }
  }
}
