package org.convscope.engine;

import java.util.List;
import java.util.Map;

/**
 * One graph node: its op and the names of the tensors it reads and writes. An absent optional input is
 * the empty string, as in ONNX. {@code metadata} holds the exporter's annotations (PyTorch's module path).
 */
public record Node(
    String name,
    String opType,
    List<String> inputs,
    List<String> outputs,
    Attributes attributes,
    Map<String, String> metadata,
    Op op) {

  public Node {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    metadata = Map.copyOf(metadata);
  }

  public String input(int i) {
    return i < inputs.size() ? inputs.get(i) : "";
  }

  public String output() {
    return outputs.get(0);
  }

  @Override
  public String toString() {
    return opType + " '" + name + "'";
  }
}
