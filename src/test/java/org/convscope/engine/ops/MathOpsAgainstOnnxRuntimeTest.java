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
 * The cases Debian's conformance data (ONNX 1.12, opset 17) cannot cover, checked against ONNX Runtime on
 * one-node models: Gelu (opset 20), ReduceMax, ReduceMin and ReduceL2 with axes as an input (opset 18), and
 * Einsum and LayerNormalization with settings the data does not use.
 */
class MathOpsAgainstOnnxRuntimeTest {
  private static final Tensor X = PointwiseFixtures.uniform(7, -4, 4, 2, 3, 5);

  @Test
  void geluAtOpset20() throws OrtException {
    compare("Gelu", 20, Map.of(), Map.of(), X);
    compare("Gelu", 20, Map.of("approximate", "tanh"), Map.of(), X);
  }

  @Test
  void reductionsWithAxesInput() throws OrtException {
    for (String type : new String[] {"ReduceMax", "ReduceMin", "ReduceL2"}) {
      compare(type, 18, Map.of(), Map.of("axes", Tensor.vector(1)), X);
      compare(type, 18, Map.of("keepdims", 0L), Map.of("axes", Tensor.vector(0, -1)), X);
    }
  }

  @Test
  void layerNormalizationWithoutBias() throws OrtException {
    compare("LayerNormalization", 17, Map.of("axis", 1L, "epsilon", 0.01f), Map.of("scale", PointwiseFixtures.uniform(8, 0.5f, 1.5f, 3, 5)), X);
  }

  @Test
  void einsumWithEllipsisAndImplicitOutput() throws OrtException {
    Tensor right = PointwiseFixtures.uniform(9, -1, 1, 5, 4);
    compare("Einsum", 12, Map.of("equation", "...ij,jk"), Map.of("right", right), X);
    compare("Einsum", 12, Map.of("equation", "bij->jb"), Map.of(), X);
  }

  @Test
  void floatModuloAndPow() throws OrtException {
    compare("Mod", 13, Map.of("fmod", 1L), Map.of("divisor", Tensor.of(new float[] {1.5f, -2.5f, 0.7f, 3, -1}, 5)), X);
    compare("Pow", 15, Map.of(), Map.of("exponent", Tensor.vector(3)), X);
  }

  /** Runs a one-node model, with the given initializers after the input, in the engine and in ONNX Runtime. */
  private static void compare(String opType, int opset, Map<String, Object> attributes, Map<String, Tensor> constants,
      Tensor input) throws OrtException {
    GraphBuilder builder = new GraphBuilder(opType, opset);
    List<String> names = new ArrayList<>(List.of(builder.input("x", input.shape())));
    for (Map.Entry<String, Tensor> c : constants.entrySet()) names.add(builder.initializer(c.getKey(), c.getValue()));
    String y = builder.node(opType, "node", names, attributes);
    Graph graph = builder.output(y).build(StandardOps.registry());
    Tensor ours = new Network(graph).forward(Map.of("x", input), ForwardOptions.inference()).get(y);

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    byte[] model = OnnxExporter.toProto(graph).toByteArray();
    long[] shape = new long[input.rank()];
    for (int d = 0; d < shape.length; d++) shape[d] = input.dim(d);
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model, options);
        OnnxTensor feed = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), shape);
        OrtSession.Result result = session.run(Map.of("x", feed))) {
      OnnxTensor out = (OnnxTensor) result.get(0);
      long[] outShape = out.getInfo().getShape();
      int[] expectedShape = new int[outShape.length];
      for (int d = 0; d < outShape.length; d++) expectedShape[d] = (int) outShape[d];
      FloatBuffer buffer = out.getFloatBuffer();
      float[] expected = new float[buffer.remaining()];
      buffer.get(expected);
      String what = opType + " opset " + opset + " " + attributes;
      assertArrayEquals(expectedShape, ours.shape(), what);
      assertArrayEquals(expected, ours.data(), 2e-5f, what);
    }
  }
}
