package org.convscope.engine;

import java.util.List;
import java.util.function.Function;
import org.convscope.tensor.Tensor;

/**
 * An op that recognizes, around its own node, a group of nodes that one op computes in fewer passes forward and
 * backward: GELU as torch.onnx writes it before opset 20 (Div, Erf, Add, Mul, Mul around the Erf), layer norm
 * before opset 17 (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add from the first ReduceMean), and a
 * Linear layer (MatMul by a constant matrix, Add of a constant bias, and a GELU if one follows, from the MatMul).
 * {@link Network} runs such a group as that op where nothing needs the tensors inside it.
 */
public interface CompositeAnchor extends Op {

  /**
   * A group of nodes, in graph order, and the op that computes the last one's output from {@code inputs}; the
   * tensors between the nodes are read by nodes of the group only.
   */
  record Composite(List<Node> nodes, Op op, List<String> inputs) {
    public Node last() {
      return nodes.get(nodes.size() - 1);
    }
  }

  /**
   * The group around {@code node}, which runs this op, or null.
   *
   * @param constants a tensor's value when it is an initializer or a Constant node's output, else null
   */
  Composite composite(Graph graph, Node node, Function<String, Tensor> constants);
}
