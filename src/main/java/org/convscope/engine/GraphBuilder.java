package org.convscope.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;

/**
 * Builds a {@link Graph} in code: the trainer's architectures and the tests' small hand-made networks.
 * Node outputs are named after the node, so a node called {@code /conv1/Conv} writes {@code /conv1/Conv_output_0}
 * as PyTorch's exporter does, and module paths resolve the same way for built and imported graphs.
 */
public final class GraphBuilder {
  private final String name;
  private final int opset;
  private final List<ValueInfo> inputs = new ArrayList<>();
  private final List<ValueInfo> outputs = new ArrayList<>();
  private final Map<String, Tensor> initializers = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final List<PendingNode> nodes = new ArrayList<>();

  private record PendingNode(String name, String opType, List<String> inputs, List<String> outputs,
      Map<String, Object> attributes) {}

  public GraphBuilder(String name, int opset) {
    this.name = name;
    this.opset = opset;
  }

  /** Declares a float input; -1 marks a free dimension such as the batch. */
  public String input(String tensor, int... dims) {
    inputs.add(new ValueInfo(tensor, DType.FLOAT, dims, null));
    return tensor;
  }

  public String initializer(String tensor, Tensor value) {
    initializers.put(tensor, value);
    return tensor;
  }

  public GraphBuilder metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Adds a node with one output and returns the output's name. */
  public String node(String opType, String nodeName, List<String> nodeInputs, Map<String, Object> attributes) {
    return node(opType, nodeName, nodeInputs, 1, attributes).get(0);
  }

  /** Adds a node with several outputs and returns their names. */
  public List<String> node(String opType, String nodeName, List<String> nodeInputs, int outputCount,
      Map<String, Object> attributes) {
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < outputCount; i++) outs.add(nodeName + "_output_" + i);
    nodes.add(new PendingNode(nodeName, opType, nodeInputs, outs, attributes));
    return outs;
  }

  public GraphBuilder output(String tensor) {
    outputs.add(new ValueInfo(tensor, DType.FLOAT, null, null));
    return this;
  }

  /** Declares a float output of known shape (-1 for free dimensions), as ONNX's checker wants for exported files. */
  public GraphBuilder output(String tensor, int... dims) {
    outputs.add(new ValueInfo(tensor, DType.FLOAT, dims, null));
    return this;
  }

  /** Creates every op through the registry, so bad attributes fail here as they would on import. */
  public Graph build(OpRegistry registry) {
    List<Node> built = new ArrayList<>();
    for (PendingNode p : nodes) {
      Attributes attributes = new Attributes(p.name, p.attributes);
      Op op = registry.create(new OpSpec(p.name, p.opType, attributes, opset, p.inputs.size(), p.outputs.size()));
      built.add(new Node(p.name, p.opType, p.inputs, p.outputs, attributes, Map.of(), op));
    }
    return new Graph(name, built, initializers, inputs, outputs, metadata, opset);
  }
}
