package org.convscope.engine.ops;

import static org.convscope.engine.ops.ConvTesting.assertClose;
import static org.convscope.engine.ops.ConvTesting.ints;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.onnx.OnnxExporter;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Conv and ConvTranspose against ONNX Runtime on one-node models, for the padding rules where the spec is
 * easiest to misread: SAME_LOWER, pads derived from output_shape, output_padding, and groups with
 * dilations, at an old and a recent opset. (ONNX Runtime rejects SAME padding with dilations, and an
 * output_shape larger than the input can reach, which ConvTest and ConvTransposeTest check against the
 * direct reference instead.)
 */
class ConvAgainstOnnxRuntimeTest {

  @Test
  void convMatchesOnnxRuntime() throws OrtException {
    for (int opset : new int[] {11, 17}) {
      compare("Conv", opset, attrs("auto_pad", "SAME_LOWER", "strides", ints(2, 2)), ints(1, 3, 7, 8), ints(4, 3, 4, 3));
      compare("Conv", opset, attrs("auto_pad", "SAME_UPPER", "strides", ints(3, 1)), ints(2, 3, 8, 7), ints(2, 3, 4, 2));
      compare("Conv", opset, attrs("group", 2, "dilations", ints(1, 2), "pads", ints(0, 2, 1, 1), "strides", ints(2, 1)),
          ints(1, 4, 9, 8), ints(6, 2, 3, 3));
      compare("Conv", opset, attrs("group", 3, "pads", ints(1, 1, 1, 1)), ints(1, 3, 5, 5), ints(6, 1, 3, 3));
      compare("Conv", opset, attrs("strides", ints(3), "pads", ints(2, 0)), ints(2, 4, 13), ints(5, 4, 4));
    }
  }

  @Test
  void convTransposeMatchesOnnxRuntime() throws OrtException {
    for (int opset : new int[] {11, 17}) {
      compare("ConvTranspose", opset, attrs("strides", ints(3, 2), "pads", ints(1, 0, 2, 1), "output_padding", ints(2, 1)),
          ints(1, 2, 3, 4), ints(2, 3, 3, 3));
      compare("ConvTranspose", opset, attrs("group", 2, "dilations", ints(2, 1), "strides", ints(2, 2)),
          ints(1, 4, 3, 3), ints(4, 2, 2, 3));
      compare("ConvTranspose", opset, attrs("strides", ints(2, 2), "output_shape", ints(7, 5)),
          ints(1, 1, 3, 3), ints(1, 2, 3, 3));
      compare("ConvTranspose", opset, attrs("auto_pad", "SAME_LOWER", "strides", ints(2, 2)),
          ints(1, 2, 3, 3), ints(2, 2, 3, 3));
      compare("ConvTranspose", opset, attrs("strides", ints(2)), ints(1, 3, 5), ints(3, 2, 4));
    }
  }

  private static Map<String, Object> attrs(Object... nameValues) {
    return ConvTesting.spec("ConvTranspose", nameValues).attributes().asMap();
  }

  /** Runs a one-node model with random X, W and B in the engine and in ONNX Runtime and compares the output. */
  private static void compare(String opType, int opset, Map<String, Object> attributes, int[] xShape, int[] wShape)
      throws OrtException {
    int outChannels = opType.equals("Conv") ? wShape[0] : wShape[1] * (int) (long) attributes.getOrDefault("group", 1L);
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    feeds.put("x", GradCheck.randn(1, 0, xShape));
    feeds.put("w", GradCheck.randn(2, 0, wShape));
    feeds.put("b", GradCheck.randn(3, 0, outChannels));
    GraphBuilder builder = new GraphBuilder(opType, opset);
    for (Map.Entry<String, Tensor> e : feeds.entrySet()) builder.input(e.getKey(), e.getValue().shape());
    String y = builder.node(opType, "node", List.of("x", "w", "b"), attributes);
    Graph graph = builder.output(y).build(StandardOps.registry());
    Tensor ours = new Network(graph).forward(feeds, ForwardOptions.inference()).get(y);

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> ortFeeds = new LinkedHashMap<>();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(OnnxExporter.toProto(graph).toByteArray(), options)) {
        for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
          long[] shape = new long[e.getValue().rank()];
          for (int d = 0; d < shape.length; d++) shape[d] = e.getValue().dim(d);
          ortFeeds.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().data()), shape));
        }
        try (OrtSession.Result result = session.run(ortFeeds)) {
          OnnxTensor out = (OnnxTensor) result.get(0);
          long[] shape = out.getInfo().getShape();
          int[] dims = new int[shape.length];
          for (int d = 0; d < shape.length; d++) dims[d] = (int) shape[d];
          FloatBuffer buffer = out.getFloatBuffer();
          float[] values = new float[buffer.remaining()];
          buffer.get(values);
          assertClose(Tensor.of(values, dims), ours);
        }
      } finally {
        for (OnnxTensor t : ortFeeds.values()) t.close();
      }
    }
  }
}
