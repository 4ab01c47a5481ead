package org.convscope.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.convscope.engine.Graph;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Network;
import org.convscope.engine.ops.StandardOps;
import org.convscope.onnx.proto.Onnx.ModelProto;
import org.convscope.onnx.proto.Onnx.NodeProto;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxImporterTest {
  @TempDir Path dir;

  private static Graph reluGraph() {
    GraphBuilder b = new GraphBuilder("relu", 13);
    String x = b.input("x", -1, 3);
    b.initializer("unused.weight", Tensor.of(new float[] {1, 2, 3}, 3));
    b.output(b.node("Relu", "/act/Relu", List.of(x), Map.of()));
    b.metadata("class_names", "[\"a\",\"b\",\"c\"]");
    return b.build(StandardOps.registry());
  }

  @Test
  void exportThenImportKeepsEverything() throws Exception {
    Path file = dir.resolve("relu.onnx");
    OnnxExporter.write(reluGraph(), file);
    Graph g = OnnxImporter.load(file);
    assertEquals(13, g.opset());
    assertEquals("[\"a\",\"b\",\"c\"]", g.metadata().get("class_names"));
    assertArrayEquals(new float[] {1, 2, 3}, g.initializers().get("unused.weight").data());
    assertArrayEquals(new int[] {-1, 3}, g.inputs().get(0).dims());
    Tensor y = new Network(g).predict(Tensor.of(new float[] {-1, 0.5f, 2}, 1, 3));
    assertArrayEquals(new float[] {0, 0.5f, 2}, y.data());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void truncatedFileIsReported() throws Exception {
    Path good = dir.resolve("good.onnx");
    OnnxExporter.write(reluGraph(), good);
    byte[] bytes = Files.readAllBytes(good);
    Path bad = dir.resolve("truncated.onnx");
    Files.write(bad, Arrays.copyOf(bytes, bytes.length - 7));
    InvalidModelException e = assertThrows(InvalidModelException.class, () -> OnnxImporter.load(bad));
    assertTrue(e.getMessage().startsWith(bad + ": not a valid ONNX file"), e.getMessage());
  }

  @Test
  void fileThatIsNotOnnxIsReported() throws Exception {
    Path text = dir.resolve("notes.onnx");
    Files.writeString(text, "these are not the weights you are looking for\n");
    InvalidModelException e = assertThrows(InvalidModelException.class, () -> OnnxImporter.load(text));
    assertTrue(e.getMessage().startsWith(text + ": not"), e.getMessage());
    Path missing = dir.resolve("missing.onnx");
    assertEquals(missing + ": no such file", assertThrows(InvalidModelException.class, () -> OnnxImporter.load(missing)).getMessage());
  }

  @Test
  void unsupportedOpsAreAllListedWithTheirNodes() throws Exception {
    ModelProto.Builder m = OnnxExporter.toProto(reluGraph()).toBuilder();
    var g = m.getGraphBuilder();
    g.addNode(NodeProto.newBuilder().setName("warp1").setOpType("GridSample").addInput("x").addOutput("w1"));
    g.addNode(NodeProto.newBuilder().setName("warp2").setOpType("GridSample").addInput("x").addOutput("w2"));
    g.addNode(NodeProto.newBuilder().setName("nms").setOpType("NonMaxSuppression").addInput("x").addOutput("n"));
    g.addNode(NodeProto.newBuilder().setName("custom").setOpType("Foo").setDomain("com.example").addInput("x").addOutput("f"));
    Path file = dir.resolve("exotic.onnx");
    Files.write(file, m.build().toByteArray());
    InvalidModelException e = assertThrows(InvalidModelException.class, () -> OnnxImporter.load(file));
    assertEquals(file + ": unsupported ops: GridSample (2 nodes: warp1, warp2); NonMaxSuppression (1 node: nms); "
        + "com.example.Foo (1 node: custom)", e.getMessage());
  }

  @Test
  void missingExternalDataFileIsNamed() throws Exception {
    Path src = org.convscope.Fixtures.dir("squeezenet1_1_dynamo").resolve("model.onnx");
    Path copy = dir.resolve("model.onnx");
    Files.copy(src, copy);
    InvalidModelException e = assertThrows(InvalidModelException.class, () -> OnnxImporter.load(copy));
    assertTrue(e.getMessage().contains("external data file " + dir.resolve("model.onnx.data") + " for tensor '"), e.getMessage());
    assertTrue(e.getMessage().contains("is missing"), e.getMessage());
  }
}
