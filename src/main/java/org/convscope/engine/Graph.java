package org.convscope.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.tensor.Tensor;

/**
 * A network as the engine runs it: nodes in topological order, the initializers (weights), and the declared
 * inputs and outputs. Immutable apart from the values inside the initializer tensors, which a trainer updates.
 */
public final class Graph {
  private final String name;
  private final List<Node> nodes;
  private final Map<String, Tensor> initializers;
  private final List<ValueInfo> inputs;
  private final List<ValueInfo> outputs;
  private final Map<String, String> metadata;
  private final int opset;
  private final Map<String, Node> producers = new HashMap<>();
  private final Map<String, List<Node>> consumers = new HashMap<>();

  /**
   * @param inputs the inputs a caller feeds; initializers listed as graph inputs (older exporters) are dropped
   * @param metadata the model's metadata_props (class names, preprocessing)
   */
  public Graph(String name, List<Node> nodes, Map<String, Tensor> initializers, List<ValueInfo> inputs,
      List<ValueInfo> outputs, Map<String, String> metadata, int opset) {
    this.name = name;
    this.initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
    List<ValueInfo> fed = new ArrayList<>();
    for (ValueInfo v : inputs) if (!initializers.containsKey(v.name())) fed.add(v);
    this.inputs = List.copyOf(fed);
    this.outputs = List.copyOf(outputs);
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.opset = opset;
    this.nodes = sort(nodes);
    for (Node n : this.nodes) {
      for (String out : n.outputs()) if (!out.isEmpty()) producers.put(out, n);
      for (String in : n.inputs()) if (!in.isEmpty()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
    }
    for (ValueInfo out : this.outputs) {
      if (!producers.containsKey(out.name()) && !initializers.containsKey(out.name()) && !isInput(out.name())) {
        throw new InvalidModelException("graph output '" + out.name() + "' is produced by no node");
      }
    }
  }

  /** Kahn's algorithm, as a loop: deep networks would overflow a recursive sort. Keeps file order where free. */
  private List<Node> sort(List<Node> unsorted) {
    Set<String> available = new HashSet<>(initializers.keySet());
    for (ValueInfo v : inputs) available.add(v.name());
    available.add("");
    Map<String, List<Integer>> waiting = new HashMap<>();
    int[] missing = new int[unsorted.size()];
    Set<String> produced = new HashSet<>();
    for (Node n : unsorted) {
      for (String out : n.outputs()) {
        if (!out.isEmpty() && !produced.add(out)) {
          throw new InvalidModelException("tensor '" + out + "' is produced by more than one node (second: " + n + ")");
        }
      }
    }
    ArrayDeque<Integer> ready = new ArrayDeque<>();
    for (int i = 0; i < unsorted.size(); i++) {
      for (String in : new HashSet<>(unsorted.get(i).inputs())) {
        if (available.contains(in)) continue;
        if (!produced.contains(in)) {
          throw new InvalidModelException(unsorted.get(i) + " reads tensor '" + in
              + "', which is neither a graph input, an initializer nor produced by any node");
        }
        missing[i]++;
        waiting.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
      }
      if (missing[i] == 0) ready.add(i);
    }
    List<Node> sorted = new ArrayList<>(unsorted.size());
    java.util.PriorityQueue<Integer> queue = new java.util.PriorityQueue<>(ready);
    while (!queue.isEmpty()) {
      Node n = unsorted.get(queue.poll());
      sorted.add(n);
      for (String out : n.outputs()) {
        for (int j : waiting.getOrDefault(out, List.of())) {
          if (--missing[j] == 0) queue.add(j);
        }
      }
    }
    if (sorted.size() != unsorted.size()) {
      throw new InvalidModelException("the graph has a cycle (" + (unsorted.size() - sorted.size()) + " nodes never become ready)");
    }
    return Collections.unmodifiableList(sorted);
  }

  public String name() {
    return name;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Map<String, Tensor> initializers() {
    return initializers;
  }

  public List<ValueInfo> inputs() {
    return inputs;
  }

  public List<ValueInfo> outputs() {
    return outputs;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  public int opset() {
    return opset;
  }

  public boolean isInput(String tensor) {
    for (ValueInfo v : inputs) if (v.name().equals(tensor)) return true;
    return false;
  }

  /** The node that writes this tensor, or null for inputs and initializers. */
  public Node producer(String tensor) {
    return producers.get(tensor);
  }

  public List<Node> consumers(String tensor) {
    return consumers.getOrDefault(tensor, List.of());
  }

  /** Whether a tensor of this name exists: input, initializer or node output. */
  public boolean hasTensor(String tensor) {
    return producers.containsKey(tensor) || initializers.containsKey(tensor) || isInput(tensor);
  }
}
