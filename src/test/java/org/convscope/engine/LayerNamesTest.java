package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.convscope.engine.ops.Relu;
import org.convscope.tensor.DType;
import org.junit.jupiter.api.Test;

class LayerNamesTest {

  /** A chain of ReLU nodes with the given node names and metadata, t0 -> t1 -> ... */
  private static Graph chain(List<String> names, List<Map<String, String>> metadata) {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      nodes.add(new Node(names.get(i), "Relu", List.of("t" + i), List.of("t" + (i + 1)), Attributes.none(names.get(i)),
          metadata.get(i), new Relu()));
    }
    ValueInfo in = new ValueInfo("t0", DType.FLOAT, new int[] {-1, 3}, null);
    ValueInfo out = new ValueInfo("t" + names.size(), DType.FLOAT, null, null);
    return new Graph("g", nodes, Map.of(), List.of(in), List.of(out), Map.of(), 13);
  }

  @Test
  void torchScriptScopedNames() {
    List<String> names = List.of("/conv1/Conv", "/layer4/layer4.0/relu/Relu", "/layer4/layer4.1/conv2/Conv",
        "/layer4/layer4.1/relu_1/Relu", "/features/features.0/features.0.0/Conv", "/Flatten");
    Graph g = chain(names, names.stream().map(n -> Map.<String, String>of()).toList());
    LayerNames layers = new LayerNames(g);
    assertEquals("t1", layers.resolve("conv1"));
    assertEquals("t4", layers.resolve("layer4"));
    assertEquals("t3", layers.resolve("layer4.1.conv2"));
    assertEquals("t4", layers.resolve("layer4.1"));
    assertEquals("t4", layers.resolve("layer4.1.relu_1"));
    assertEquals("t4", layers.resolve("layer4.1.relu"));
    assertEquals("t5", layers.resolve("features.0.0"));
    assertEquals("t5", layers.resolve("features"));
    assertEquals("t2", layers.resolve("/layer4/layer4.0/relu/Relu"), "node names resolve to their output");
    assertEquals("t3", layers.resolve("t3"), "tensor names resolve to themselves");
    assertEquals("layer4.1.conv2", layers.modulePath(g.nodes().get(2)));
  }

  @Test
  void dynamoMetadataScopes() {
    List<String> names = List.of("node_Conv_8", "node_relu", "node_Conv_9", "node_Reshape_36");
    List<Map<String, String>> meta = List.of(
        Map.of("pkg.torch.onnx.name_scopes", "['', 'features', 'features.0', 'conv2d']"),
        Map.of("pkg.torch.onnx.name_scopes", "['', 'features', 'features.1', 'relu']"),
        Map.of("pkg.torch.onnx.name_scopes", "['', 'features', 'features.3', 'features.3.squeeze', 'conv2d_1']"),
        Map.of("pkg.torch.onnx.name_scopes", "['', 'view']"));
    LayerNames layers = new LayerNames(chain(names, meta));
    assertEquals("t1", layers.resolve("features.0"));
    assertEquals("t3", layers.resolve("features.3.squeeze"));
    assertEquals("t3", layers.resolve("features"));
    assertEquals("t4", layers.resolve("node_Reshape_36"));
  }

  @Test
  void unknownNameSuggestsClosest() {
    List<String> names = List.of("/layer3/layer3.0/conv1/Conv", "/layer4/layer4.0/conv1/Conv");
    LayerNames layers = new LayerNames(chain(names, List.of(Map.of(), Map.of())));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> layers.resolve("layer5"));
    assertTrue(e.getMessage().startsWith("unknown layer 'layer5'; closest names: layer3, layer4"), e.getMessage());
  }
}
