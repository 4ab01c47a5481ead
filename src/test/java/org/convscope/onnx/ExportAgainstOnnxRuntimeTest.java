package org.convscope.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.data.Dataset;
import org.convscope.engine.Graph;
import org.convscope.engine.GradCheck;
import org.convscope.model.Model;
import org.convscope.report.Demo;
import org.convscope.tensor.Tensor;
import org.convscope.train.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files ConvScope writes run in ONNX Runtime with the outputs ConvScope computes. */
class ExportAgainstOnnxRuntimeTest {
  @TempDir Path dir;

  static float[] onnxRuntime(Path file, String input, Tensor x) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] shape = new long[x.rank()];
    for (int i = 0; i < shape.length; i++) shape[i] = x.dim(i);
    try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape);
        OrtSession.Result result = session.run(Map.of(input, in))) {
      FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
      float[] values = new float[out.remaining()];
      out.get(values);
      return values;
    }
  }

  @Test
  void exportedArchitectureRunsAlikeInOnnxRuntime() throws Exception {
    Graph graph = Architecture.demo(1, 28, 28, 10).build(3, Map.of());
    Path file = dir.resolve("demo-arch.onnx");
    OnnxExporter.write(graph, file);
    Model reloaded = Model.load(file);
    Tensor x = GradCheck.randn(11, 0, 5, 1, 28, 28);
    float[] ours = reloaded.network().predict(x).data();
    Fixtures.assertClose(onnxRuntime(file, reloaded.input(), x), ours, "exported architecture, ONNX Runtime vs ConvScope");
  }

  @Test
  void shippedDemoModelRunsAlikeInOnnxRuntime() throws Exception {
    Path file = Demo.extractModel(dir);
    Model model = Model.load(file);
    Dataset data = Demo.data();
    int[] first = new int[16];
    for (int i = 0; i < first.length; i++) first[i] = i;
    Tensor x = data.batch(first).images();
    float[] ours = model.network().predict(x).data();
    Fixtures.assertClose(onnxRuntime(file, model.input(), x), ours, "demo model, ONNX Runtime vs ConvScope");
  }
}
