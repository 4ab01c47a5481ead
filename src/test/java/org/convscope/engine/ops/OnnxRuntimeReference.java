package org.convscope.engine.ops;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.convscope.engine.Graph;
import org.convscope.onnx.OnnxExporter;
import org.convscope.onnx.proto.Onnx;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;

/**
 * Runs a single ONNX node in onnxruntime, as an independent reference for op variants the ONNX conformance
 * data does not cover (older opsets, ceil-mode windows, dilated average pooling and more).
 */
final class OnnxRuntimeReference {
  private OnnxRuntimeReference() {}

  /**
   * @param inputs the node's inputs, null for an absent optional input
   * @param outputTypes the element type of each output
   */
  static Tensor[] run(String opType, int opset, Map<String, Object> attributes, Tensor[] inputs,
      DType... outputTypes) {
    Onnx.NodeProto.Builder node = Onnx.NodeProto.newBuilder().setOpType(opType).setName("node");
    Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName("reference");
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) {
        node.addInput("");
        continue;
      }
      node.addInput("in" + i);
      graph.addInput(valueInfo("in" + i, inputs[i].dtype(), inputs[i].shape()));
    }
    for (int i = 0; i < outputTypes.length; i++) {
      node.addOutput("out" + i);
      graph.addOutput(valueInfo("out" + i, outputTypes[i], null));
    }
    for (Map.Entry<String, Object> a : attributes.entrySet()) node.addAttribute(attribute(a.getKey(), a.getValue()));
    graph.addNode(node);
    Onnx.ModelProto model = Onnx.ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(graph)
        .build();

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    List<OnnxTensor> feeds = new ArrayList<>();
    try (OrtSession session = env.createSession(model.toByteArray(), new OrtSession.SessionOptions())) {
      Map<String, OnnxTensor> named = new HashMap<>();
      for (int i = 0; i < inputs.length; i++) {
        if (inputs[i] == null) continue;
        long[] shape = toLongs(inputs[i].shape());
        OnnxTensor t = inputs[i].isFloat()
            ? OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs[i].data()), shape)
            : OnnxTensor.createTensor(env, LongBuffer.wrap(inputs[i].longs()), shape);
        feeds.add(t);
        named.put("in" + i, t);
      }
      try (OrtSession.Result result = session.run(named)) {
        Tensor[] out = new Tensor[outputTypes.length];
        for (int i = 0; i < out.length; i++) {
          OnnxTensor t = (OnnxTensor) result.get(i);
          long[] s = t.getInfo().getShape();
          int[] shape = new int[s.length];
          for (int k = 0; k < s.length; k++) shape[k] = Math.toIntExact(s[k]);
          if (outputTypes[i] == DType.FLOAT) {
            FloatBuffer b = t.getFloatBuffer();
            float[] data = new float[b.remaining()];
            b.get(data);
            out[i] = Tensor.of(data, shape);
          } else {
            LongBuffer b = t.getLongBuffer();
            long[] data = new long[b.remaining()];
            b.get(data);
            out[i] = Tensor.ofLongs(data, shape);
          }
        }
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("onnxruntime failed on " + opType + " " + attributes + ": " + e.getMessage(), e);
    } finally {
      feeds.forEach(OnnxTensor::close);
    }
  }

  /** The first output of a whole graph, run in onnxruntime on 2 threads with {@code x} fed to input "x". */
  static float[] runGraph(Graph graph, Tensor x) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(2);
      try (OrtSession session = env.createSession(OnnxExporter.toProto(graph).toByteArray(), options);
          OnnxTensor feed = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), toLongs(x.shape()));
          OrtSession.Result result = session.run(Map.of("x", feed))) {
        FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("onnxruntime failed on graph " + graph + ": " + e.getMessage(), e);
    }
  }

  private static Onnx.ValueInfoProto valueInfo(String name, DType type, int[] shape) {
    Onnx.TypeProto.Tensor.Builder t = Onnx.TypeProto.Tensor.newBuilder()
        .setElemType(type == DType.FLOAT ? Onnx.TensorProto.DataType.FLOAT_VALUE : Onnx.TensorProto.DataType.INT64_VALUE);
    if (shape != null) {
      Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
      for (int d : shape) s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
      t.setShape(s);
    }
    return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(t)).build();
  }

  private static Onnx.AttributeProto attribute(String name, Object value) {
    Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name);
    if (value instanceof Long v) {
      a.setType(Onnx.AttributeProto.AttributeType.INT).setI(v);
    } else if (value instanceof Float v) {
      a.setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(v);
    } else if (value instanceof String v) {
      a.setType(Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFrom(v, StandardCharsets.UTF_8));
    } else if (value instanceof long[] v) {
      a.setType(Onnx.AttributeProto.AttributeType.INTS);
      for (long x : v) a.addInts(x);
    } else if (value instanceof float[] v) {
      a.setType(Onnx.AttributeProto.AttributeType.FLOATS);
      for (float x : v) a.addFloats(x);
    } else {
      throw new IllegalArgumentException("attribute " + name + " of unsupported type " + value.getClass());
    }
    return a.build();
  }

  private static long[] toLongs(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) out[i] = a[i];
    return out;
  }
}
