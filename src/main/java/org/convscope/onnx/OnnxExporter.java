package org.convscope.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.convscope.engine.Graph;
import org.convscope.engine.Node;
import org.convscope.engine.ValueInfo;
import org.convscope.onnx.proto.Onnx.AttributeProto;
import org.convscope.onnx.proto.Onnx.GraphProto;
import org.convscope.onnx.proto.Onnx.ModelProto;
import org.convscope.onnx.proto.Onnx.NodeProto;
import org.convscope.onnx.proto.Onnx.OperatorSetIdProto;
import org.convscope.onnx.proto.Onnx.StringStringEntryProto;
import org.convscope.onnx.proto.Onnx.TensorProto;
import org.convscope.onnx.proto.Onnx.TensorShapeProto;
import org.convscope.onnx.proto.Onnx.TypeProto;
import org.convscope.onnx.proto.Onnx.ValueInfoProto;
import org.convscope.tensor.AtomicFiles;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;

/**
 * Writes a {@link Graph} as a standard ONNX file: IR version 8, the graph's opset, weights inline, and the
 * graph's metadata (class names, preprocessing) as model metadata_props. The file is written to a temporary
 * file beside the target and renamed, so an interrupted export never leaves half a model.
 */
public final class OnnxExporter {
  static final long IR_VERSION = 8;

  private OnnxExporter() {}

  public static void write(Graph graph, Path file) throws IOException {
    ModelProto model = toProto(graph);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    AtomicFiles.write(file, model::writeTo);
  }

  public static ModelProto toProto(Graph graph) {
    GraphProto.Builder g = GraphProto.newBuilder().setName(graph.name() == null || graph.name().isEmpty() ? "convscope" : graph.name());
    for (ValueInfo v : graph.inputs()) g.addInput(valueInfo(v));
    for (ValueInfo v : graph.outputs()) g.addOutput(valueInfo(v));
    for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) g.addInitializer(TensorProtos.fromTensor(e.getKey(), e.getValue()));
    for (Node n : graph.nodes()) g.addNode(node(n));
    ModelProto.Builder m = ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName("ConvScope")
        .setProducerVersion("0.1")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(graph.opset()))
        .setGraph(g);
    for (Map.Entry<String, String> e : graph.metadata().entrySet()) {
      if (e.getKey().equals("producer")) continue;
      m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
    }
    return m.build();
  }

  private static NodeProto node(Node n) {
    NodeProto.Builder b = NodeProto.newBuilder().setName(n.name()).setOpType(n.opType())
        .addAllInput(n.inputs()).addAllOutput(n.outputs());
    for (Map.Entry<String, Object> e : n.attributes().asMap().entrySet()) b.addAttribute(attribute(e.getKey(), e.getValue()));
    return b.build();
  }

  private static AttributeProto attribute(String name, Object value) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
    if (value instanceof Long l) return a.setType(AttributeProto.AttributeType.INT).setI(l).build();
    if (value instanceof Integer i) return a.setType(AttributeProto.AttributeType.INT).setI(i).build();
    if (value instanceof Float f) return a.setType(AttributeProto.AttributeType.FLOAT).setF(f).build();
    if (value instanceof String s) return a.setType(AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8(s)).build();
    if (value instanceof long[] ls) {
      a.setType(AttributeProto.AttributeType.INTS);
      for (long l : ls) a.addInts(l);
      return a.build();
    }
    if (value instanceof float[] fs) {
      a.setType(AttributeProto.AttributeType.FLOATS);
      for (float f : fs) a.addFloats(f);
      return a.build();
    }
    if (value instanceof String[] ss) {
      a.setType(AttributeProto.AttributeType.STRINGS);
      for (String s : ss) a.addStrings(com.google.protobuf.ByteString.copyFromUtf8(s));
      return a.build();
    }
    if (value instanceof Tensor t) return a.setType(AttributeProto.AttributeType.TENSOR).setT(TensorProtos.fromTensor("", t)).build();
    throw new IllegalArgumentException("attribute '" + name + "' has a value of type " + value.getClass().getSimpleName()
        + ", which ONNX cannot store");
  }

  private static ValueInfoProto valueInfo(ValueInfo v) {
    TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder()
        .setElemType(v.type() == DType.FLOAT ? TensorProto.DataType.FLOAT_VALUE : TensorProto.DataType.INT64_VALUE);
    if (v.hasShape()) {
      TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
      int[] dims = v.dims();
      String[] names = v.dimNames();
      for (int i = 0; i < dims.length; i++) {
        TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
        if (dims[i] >= 0) d.setDimValue(dims[i]);
        else d.setDimParam(names != null && names[i] != null ? names[i] : i == 0 ? "batch" : "d" + i);
        s.addDim(d);
      }
      t.setShape(s);
    }
    return ValueInfoProto.newBuilder().setName(v.name()).setType(TypeProto.newBuilder().setTensorType(t)).build();
  }
}
