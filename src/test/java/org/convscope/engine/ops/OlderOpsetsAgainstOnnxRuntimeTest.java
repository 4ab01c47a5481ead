package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.onnx.OnnxExporter;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The conformance data is generated at the newest opset, so the older semantics (Softmax coerced to 2-D,
 * axes and Clip bounds as attributes, Gemm without optional C) are checked here against ONNX Runtime, on
 * one-node models built at the old opset.
 */
class OlderOpsetsAgainstOnnxRuntimeTest {
  /** A [2, 3, 4] input with values spread over [-3, 3]. */
  private static final Tensor X = PointwiseFixtures.uniform(7, -3, 3, 2, 3, 4);

  @Test
  void softmaxBeforeOpset13() throws OrtException {
    for (String type : new String[] {"Softmax", "LogSoftmax"}) {
      compare(type, 11, Map.of(), X);
      for (long axis = -3; axis < 3; axis++) compare(type, 11, Map.of("axis", axis), X);
      compare(type, 7, Map.of("axis", 2L), X);
    }
  }

  @Test
  void reductionsWithAxesAttributes() throws OrtException {
    long[][] axesCases = {{0}, {1, 2}, {-1}, {0, 1, 2}};
    for (long[] axes : axesCases) {
      for (long keep = 0; keep < 2; keep++) {
        compare("ReduceSum", 11, Map.of("axes", axes, "keepdims", keep), X);
        compare("ReduceMean", 13, Map.of("axes", axes, "keepdims", keep), X);
      }
    }
    compare("ReduceSum", 11, Map.of(), X);
    compare("ReduceMean", 11, Map.of("keepdims", 0L), X);
  }

  @Test
  void clipWithAttributeBounds() throws OrtException {
    compare("Clip", 10, Map.of("min", -1f, "max", 0.5f), X);
    compare("Clip", 10, Map.of("max", 0.5f), X);
  }

  @Test
  void gemmAtOpset9() throws OrtException {
    Tensor a = PointwiseFixtures.uniform(1, -1, 1, 4, 3);
    Tensor b = PointwiseFixtures.uniform(2, -1, 1, 5, 4);
    Tensor c = PointwiseFixtures.uniform(3, -1, 1, 5);
    compare("Gemm", 9, Map.of("transA", 1L, "transB", 1L, "alpha", 0.5f, "beta", 2f), a, b, c);
  }

  @Test
  void activationsAtOpset7() throws OrtException {
    compare("LeakyRelu", 7, Map.of("alpha", 0.2f), X);
    compare("Elu", 7, Map.of("alpha", 0.7f), X);
    compare("HardSigmoid", 7, Map.of("alpha", 0.3f, "beta", 0.4f), X);
    compare("PRelu", 7, Map.of(), X, PointwiseFixtures.uniform(4, 0, 1, 3, 1));
  }

  /** Runs a one-node model in the engine and in ONNX Runtime and compares the output. */
  private static void compare(String opType, int opset, Map<String, Object> attributes, Tensor... inputs)
      throws OrtException {
    GraphBuilder builder = new GraphBuilder(opType, opset);
    List<String> names = new ArrayList<>();
    Map<String, Tensor> feeds = new HashMap<>();
    for (int i = 0; i < inputs.length; i++) {
      names.add(builder.input("x" + i, inputs[i].shape()));
      feeds.put("x" + i, inputs[i]);
    }
    String y = builder.node(opType, "node", names, attributes);
    Graph graph = builder.output(y).build(StandardOps.registry());
    Tensor ours = new Network(graph).forward(feeds, ForwardOptions.inference()).get(y);

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    byte[] model = OnnxExporter.toProto(graph).toByteArray();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model, options)) {
      Map<String, OnnxTensor> ortFeeds = new HashMap<>();
      try {
        for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
          long[] shape = new long[e.getValue().rank()];
          for (int d = 0; d < shape.length; d++) shape[d] = e.getValue().dim(d);
          ortFeeds.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().data()), shape));
        }
        try (OrtSession.Result result = session.run(ortFeeds)) {
          OnnxTensor out = (OnnxTensor) result.get(0);
          long[] shape = out.getInfo().getShape();
          int[] expectedShape = new int[shape.length];
          for (int d = 0; d < shape.length; d++) expectedShape[d] = (int) shape[d];
          FloatBuffer buffer = out.getFloatBuffer();
          float[] expected = new float[buffer.remaining()];
          buffer.get(expected);
          String what = opType + " opset " + opset + " " + attributes;
          assertArrayEquals(expectedShape, ours.shape(), what);
          assertArrayEquals(expected, ours.data(), 1e-5f, what);
        }
      } finally {
        for (OnnxTensor t : ortFeeds.values()) t.close();
      }
    }
  }
}
