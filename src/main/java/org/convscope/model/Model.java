package org.convscope.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convscope.engine.Graph;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.LayerNames;
import org.convscope.engine.Network;
import org.convscope.engine.ValueInfo;
import org.convscope.onnx.OnnxImporter;

/**
 * A classifier as the analyses see it: the network, its image input and logits output, the names of its
 * layers and classes. Immutable and shareable between threads.
 */
public final class Model {
  /** Metadata key holding the class names as a JSON array. */
  public static final String CLASS_NAMES = "class_names";

  private final Network network;
  private final LayerNames layers;
  private final List<String> classNames;
  private final String source;

  public Model(Graph graph, String source) {
    this.network = new Network(graph);
    this.layers = new LayerNames(graph);
    this.classNames = parseClassNames(graph);
    this.source = source;
    ValueInfo in = graph.inputs().isEmpty() ? null : graph.inputs().get(0);
    if (in == null) throw new InvalidModelException(source + ": the model has no input");
  }

  public static Model load(Path file) {
    return new Model(OnnxImporter.load(file), file.toString());
  }

  public Network network() {
    return network;
  }

  public Graph graph() {
    return network.graph();
  }

  public LayerNames layers() {
    return layers;
  }

  /** Where the model came from, for messages. */
  public String source() {
    return source;
  }

  public String input() {
    return network.inputName();
  }

  public String output() {
    return network.outputName();
  }

  /** The declared input, with -1 for free dimensions. */
  public ValueInfo inputInfo() {
    return network.graph().inputs().get(0);
  }

  /** The tensor a layer name (module path, node or tensor name) refers to. */
  public String resolveLayer(String layer) {
    return layers.resolve(layer);
  }

  /** Class names from the model's metadata; empty when the file has none. */
  public List<String> classNames() {
    return classNames;
  }

  /** The class's name, or "class K" when the model does not name its classes. */
  public String className(int k) {
    return k >= 0 && k < classNames.size() ? classNames.get(k) : "class " + k;
  }

  private static List<String> parseClassNames(Graph graph) {
    String json = graph.metadata().get(CLASS_NAMES);
    if (json == null) return List.of();
    try {
      List<String> names = new ArrayList<>();
      for (var node : new ObjectMapper().readTree(json)) names.add(node.asText());
      return List.copyOf(names);
    } catch (JsonProcessingException e) {
      throw new InvalidModelException("metadata '" + CLASS_NAMES + "' is not a JSON array of names: " + e.getOriginalMessage());
    }
  }

  /** Checks a class index against the model's output size. */
  public void checkClass(int k, int classes) {
    if (k < 0 || k >= classes) {
      throw new InvalidInputException("class " + k + " is out of range: the model has " + classes + " classes (0 to " + (classes - 1) + ")");
    }
  }

  /** Encodes class names for {@link #CLASS_NAMES}. */
  public static String encodeClassNames(List<String> names) {
    try {
      return new ObjectMapper().writeValueAsString(names);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
