package org.convscope.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves the layer names a user knows to tensor names: PyTorch module paths ({@code layer4},
 * {@code layer4.1.conv2}, {@code features.12}), ONNX node names and raw tensor names.
 *
 * <p>A module path names the tensor its module outputs: the first output of the last node, in execution
 * order, that lies inside the module. Which module a node lies in comes from the exporter: the TorchScript
 * exporter (torch.onnx before 2.5) scopes node names ({@code /layer4/layer4.1/conv2/Conv}); the dynamo exporter
 * (PyTorch 2.5 and later) writes the scopes into the node's {@code pkg.torch.onnx.name_scopes} metadata.
 */
public final class LayerNames {
  private static final Pattern CALL_SUFFIX = Pattern.compile("_\\d+$");
  private static final String DYNAMO_SCOPES = "pkg.torch.onnx.name_scopes";

  private final Graph graph;
  /** Module path to the tensor it outputs, in order of first appearance. */
  private final Map<String, String> moduleOutputs = new LinkedHashMap<>();
  private final Map<Node, String> modulePaths = new LinkedHashMap<>();

  public LayerNames(Graph graph) {
    this.graph = graph;
    for (Node node : graph.nodes()) {
      List<String> modules = modulesOf(node);
      if (modules.isEmpty()) continue;
      modulePaths.put(node, modules.get(modules.size() - 1));
      for (String module : modules) {
        moduleOutputs.put(module, node.output());
        // A module called twice (torchvision's BasicBlock reuses self.relu) is scoped relu, relu_1, ...
        String base = CALL_SUFFIX.matcher(module).replaceFirst("");
        if (!base.equals(module)) moduleOutputs.put(base, node.output());
      }
    }
  }

  /** The module paths a node lies in, outermost first. */
  static List<String> modulesOf(Node node) {
    String scopes = node.metadata().get(DYNAMO_SCOPES);
    if (scopes != null) return fromDynamoScopes(scopes);
    String name = node.name();
    if (!name.startsWith("/")) return List.of();
    String[] parts = name.substring(1).split("/");
    List<String> modules = new ArrayList<>();
    String path = "";
    for (int i = 0; i < parts.length - 1; i++) { // the last part is the op itself
      String part = parts[i];
      if (part.isEmpty()) continue;
      path = path.isEmpty() || part.startsWith(path + ".") ? part : path + "." + part;
      modules.add(path);
    }
    return modules;
  }

  /** Parses "['', 'features', 'features.0', 'conv2d']": full module paths, then the call itself. */
  private static List<String> fromDynamoScopes(String scopes) {
    String body = scopes.trim();
    if (body.startsWith("[")) body = body.substring(1);
    if (body.endsWith("]")) body = body.substring(0, body.length() - 1);
    List<String> items = new ArrayList<>();
    for (String item : body.split(",")) {
      String s = item.trim();
      if (s.length() >= 2 && (s.startsWith("'") || s.startsWith("\""))) s = s.substring(1, s.length() - 1);
      items.add(s);
    }
    List<String> modules = new ArrayList<>();
    for (int i = 0; i < items.size() - 1; i++) if (!items.get(i).isEmpty()) modules.add(items.get(i));
    return modules;
  }

  /** The module path of the innermost module a node lies in, or null. */
  public String modulePath(Node node) {
    return modulePaths.get(node);
  }

  /** Every module path, in execution order of first appearance, with the tensor it outputs. */
  public Map<String, String> modules() {
    return java.util.Collections.unmodifiableMap(moduleOutputs);
  }

  /**
   * The tensor a layer name refers to. Raw tensor names win, then node names, then module paths.
   *
   * @throws InvalidInputException naming the closest known names when nothing matches
   */
  public String resolve(String layer) {
    if (graph.hasTensor(layer)) return layer;
    for (Node node : graph.nodes()) if (node.name().equals(layer)) return node.output();
    String tensor = moduleOutputs.get(layer);
    if (tensor != null) return tensor;
    throw new InvalidInputException("unknown layer '" + layer + "'; closest names: " + String.join(", ", closest(layer, 5)));
  }

  /** The known names (module paths first, then node names) closest to {@code name} by edit distance. */
  public List<String> closest(String name, int count) {
    List<String> candidates = new ArrayList<>(moduleOutputs.keySet());
    for (Node node : graph.nodes()) candidates.add(node.name());
    candidates.sort(Comparator.comparingInt((String c) -> editDistance(name, c)).thenComparingInt(String::length));
    return candidates.subList(0, Math.min(count, candidates.size()));
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
