package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.OpTesting.assertTensor;
import static org.convscope.engine.ops.OpTesting.create;
import static org.convscope.engine.ops.OpTesting.longs;
import static org.convscope.engine.ops.OpTesting.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.Attributes;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.engine.ValueInfo;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@code x.view(x.size(0), -1)} as PyTorch's exporter writes it at opset 13: the batch size is read from the
 * shape at run time (Shape, Gather, Unsqueeze), joined with -1 (Concat) and handed to Reshape. Run through
 * the engine forward and backward, for two batch sizes.
 */
class ShapeSubgraphTest {
  private final List<Node> nodes = new ArrayList<>();

  private void node(String opType, List<String> inputs, String output, Object... attributes) {
    // The node's attributes are only for display; the op gets them through its factory.
    nodes.add(new Node(output, opType, inputs, List.of(output), Attributes.none(output), Map.of(),
        create(opType, 13, inputs.size(), 1, attributes)));
  }

  private Network flattenNetwork() {
    node("Shape", List.of("x"), "shape");
    node("Constant", List.of(), "zero", "value", Tensor.ofLongs(longs(0)));
    node("Gather", List.of("shape", "zero"), "batch", "axis", 0L);
    node("Constant", List.of(), "axes", "value", Tensor.vector(0));
    node("Unsqueeze", List.of("batch", "axes"), "batch_1d");
    node("Constant", List.of(), "minus_one", "value", Tensor.vector(-1));
    node("Concat", List.of("batch_1d", "minus_one"), "target", "axis", 0L);
    node("Reshape", List.of("x", "target"), "y");
    Graph graph = new Graph("flatten", nodes, Map.of(),
        List.of(new ValueInfo("x", DType.FLOAT, new int[] {-1, 3, 2, 2}, null)),
        List.of(new ValueInfo("y", DType.FLOAT, null, null)), Map.of(), 13);
    return new Network(graph);
  }

  @Test
  void flattenExportRunsForwardAndBackward() {
    Network network = flattenNetwork();
    for (int batch : new int[] {1, 2}) {
      Tensor x = OpTesting.arange(batch, 3, 2, 2);
      Trace trace = network.forward(Map.of("x", x), ForwardOptions.forBackward());
      assertLongs(shape(2), longs(batch, -1), trace.get("target"));
      Tensor y = trace.get("y");
      assertTensor(shape(batch, 12), x.data(), y);

      Tensor seed = OpTesting.arange(batch, 12);
      Map<String, Tensor> grads = network.backward(trace, Map.of("y", seed), Set.of("x"), BackwardRules.DEFAULT);
      assertArrayEquals(shape(batch, 3, 2, 2), grads.get("x").shape());
      assertArrayEquals(seed.data(), grads.get("x").data());
    }
  }
}
