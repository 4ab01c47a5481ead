package org.convscope.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.convscope.engine.Attributes;
import org.convscope.engine.Graph;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Node;
import org.convscope.engine.Op;
import org.convscope.engine.OpRegistry;
import org.convscope.engine.OpSpec;
import org.convscope.engine.ValueInfo;
import org.convscope.engine.ops.StandardOps;
import org.convscope.onnx.proto.Onnx.AttributeProto;
import org.convscope.onnx.proto.Onnx.GraphProto;
import org.convscope.onnx.proto.Onnx.ModelProto;
import org.convscope.onnx.proto.Onnx.NodeProto;
import org.convscope.onnx.proto.Onnx.OperatorSetIdProto;
import org.convscope.onnx.proto.Onnx.StringStringEntryProto;
import org.convscope.onnx.proto.Onnx.TensorProto;
import org.convscope.onnx.proto.Onnx.TensorShapeProto;
import org.convscope.onnx.proto.Onnx.ValueInfoProto;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;

/**
 * Reads an ONNX file into a {@link Graph}: initializers (inline or in external data files beside the model),
 * nodes with decoded attributes and the exporter's metadata, and the declared inputs and outputs.
 *
 * <p>Every op is created at load, so a file the engine cannot run fails here, naming every unsupported op and
 * the nodes that use it, rather than partway through a run.
 */
public final class OnnxImporter {
  private final OpRegistry registry;

  public OnnxImporter(OpRegistry registry) {
    this.registry = registry;
  }

  /** Loads a model with the standard ops. */
  public static Graph load(Path file) {
    return new OnnxImporter(StandardOps.registry()).read(file);
  }

  public Graph read(Path file) {
    ModelProto model = parse(file);
    Path dir = file.toAbsolutePath().getParent();
    try {
      return toGraph(model, dir);
    } catch (InvalidModelException e) {
      throw new InvalidModelException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses the protobuf, turning every way a file can be wrong into a one-line message naming it. */
  static ModelProto parse(Path file) {
    ModelProto model;
    try (InputStream in = Files.newInputStream(file)) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(Integer.MAX_VALUE); // weights of large models exceed protobuf's 64 MB default
      model = ModelProto.parseFrom(coded);
    } catch (NoSuchFileException e) {
      throw new InvalidModelException(file + ": no such file");
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidModelException(file + ": not a valid ONNX file (it may be truncated or corrupt: "
          + e.getMessage().replace('\n', ' ') + ")");
    } catch (IOException e) {
      throw new InvalidModelException(file + ": cannot read: " + e.getMessage());
    }
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getIrVersion() <= 0) {
      throw new InvalidModelException(file + ": not an ONNX model (no graph, nodes or IR version found)");
    }
    return model;
  }

  private Graph toGraph(ModelProto model, Path dir) {
    int opset = 0;
    for (OperatorSetIdProto id : model.getOpsetImportList()) {
      if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) opset = (int) id.getVersion();
    }
    if (opset == 0) opset = 1;
    GraphProto g = model.getGraph();

    Map<String, Tensor> initializers = new LinkedHashMap<>();
    for (TensorProto t : g.getInitializerList()) initializers.put(t.getName(), TensorProtos.toTensor(t, dir));

    Map<String, List<String>> unsupported = new TreeMap<>();
    List<Node> nodes = new ArrayList<>();
    int index = 0;
    for (NodeProto n : g.getNodeList()) {
      String name = n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
      index++;
      boolean standardDomain = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
      String type = standardDomain ? n.getOpType() : n.getDomain() + "." + n.getOpType();
      if (!standardDomain || !registry.supports(n.getOpType())) {
        unsupported.computeIfAbsent(type, k -> new ArrayList<>()).add(name);
        continue;
      }
      Attributes attributes = attributes(name, n, dir);
      Op op = registry.create(new OpSpec(name, n.getOpType(), attributes, opset, n.getInputCount(), n.getOutputCount()));
      Map<String, String> metadata = new HashMap<>();
      for (StringStringEntryProto e : n.getMetadataPropsList()) metadata.put(e.getKey(), e.getValue());
      nodes.add(new Node(name, n.getOpType(), n.getInputList(), n.getOutputList(), attributes, metadata, op));
    }
    if (!unsupported.isEmpty()) {
      StringBuilder sb = new StringBuilder("unsupported ops: ");
      int i = 0;
      for (Map.Entry<String, List<String>> e : unsupported.entrySet()) {
        if (i++ > 0) sb.append("; ");
        List<String> names = e.getValue();
        sb.append(e.getKey()).append(" (").append(names.size()).append(names.size() == 1 ? " node: " : " nodes: ")
            .append(String.join(", ", names.subList(0, Math.min(5, names.size()))))
            .append(names.size() > 5 ? ", ..." : "").append(')');
      }
      throw new InvalidModelException(sb.toString());
    }

    Map<String, String> metadata = new LinkedHashMap<>();
    for (StringStringEntryProto e : model.getMetadataPropsList()) metadata.put(e.getKey(), e.getValue());
    if (!model.getProducerName().isEmpty()) metadata.putIfAbsent("producer", model.getProducerName() + " " + model.getProducerVersion());
    return new Graph(g.getName(), nodes, initializers, valueInfos(g.getInputList()), valueInfos(g.getOutputList()), metadata, opset);
  }

  private static List<ValueInfo> valueInfos(List<ValueInfoProto> protos) {
    List<ValueInfo> out = new ArrayList<>();
    for (ValueInfoProto v : protos) {
      DType type = DType.FLOAT;
      int[] dims = null;
      String[] names = null;
      if (v.hasType() && v.getType().hasTensorType()) {
        var tt = v.getType().getTensorType();
        DType t = TensorProtos.dtypeOf(tt.getElemType());
        if (t != null) type = t;
        if (tt.hasShape()) {
          List<TensorShapeProto.Dimension> ds = tt.getShape().getDimList();
          dims = new int[ds.size()];
          names = new String[ds.size()];
          for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = ds.get(i);
            dims[i] = d.hasDimValue() ? (int) d.getDimValue() : -1;
            names[i] = d.hasDimParam() ? d.getDimParam() : null;
          }
        }
      }
      out.add(new ValueInfo(v.getName(), type, dims, names));
    }
    return out;
  }

  private static Attributes attributes(String node, NodeProto n, Path dir) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (AttributeProto a : n.getAttributeList()) {
      Object v = switch (a.getType()) {
        case FLOAT -> a.getF();
        case INT -> a.getI();
        case STRING -> a.getS().toStringUtf8();
        case TENSOR -> TensorProtos.toTensor(a.getT(), dir);
        case FLOATS -> toFloatArray(a.getFloatsList());
        case INTS -> a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        case STRINGS -> a.getStringsList().stream().map(s -> s.toStringUtf8()).toArray(String[]::new);
        default -> null; // graphs and sparse tensors: no op we support reads them
      };
      if (v != null) values.put(a.getName(), v);
    }
    return new Attributes(node, values);
  }

  private static float[] toFloatArray(List<Float> list) {
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) out[i] = list.get(i);
    return out;
  }
}
