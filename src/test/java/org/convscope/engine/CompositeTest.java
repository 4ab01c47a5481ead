package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.ops.StandardOps;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * GELU and layer norm as torch.onnx writes them before opsets 20 and 17 run as one op each ({@link
 * CompositeAnchor}): the same values and gradients as node by node, every inner tensor still there when asked
 * for, and node by node again wherever something needs the inside (a kept tensor, its gradient, a rule).
 */
class CompositeTest {
  private static final String ERF = "/gelu/Erf_output_0";
  private static final String SQRT = "/ln/Sqrt_output_0";

  private static String constant(GraphBuilder b, String name, float value) {
    return b.node("Constant", name, List.of(), Map.of("value", Tensor.scalar(value)));
  }

  /** x [2,3,5,6] -> layer norm over the last axis -> GELU (with Div by {@code divisor}) -> output. */
  private static Network network(float divisor) {
    return network(divisor, false);
  }

  /** The same; with {@code squared}, the normalized tensor is multiplied by itself rather than by a weight. */
  private static Network network(float divisor, boolean squared) {
    GraphBuilder b = new GraphBuilder("composites", 13);
    String x = b.input("x", -1, 3, 5, 6);
    String mean = b.node("ReduceMean", "/ln/ReduceMean", List.of(x), Map.of("axes", new long[] {-1}));
    String d = b.node("Sub", "/ln/Sub", List.of(x, mean), Map.of());
    String sq = b.node("Pow", "/ln/Pow", List.of(d, constant(b, "/ln/Constant", 2f)), Map.of());
    String var = b.node("ReduceMean", "/ln/ReduceMean_1", List.of(sq), Map.of("axes", new long[] {-1}));
    String v = b.node("Add", "/ln/Add", List.of(var, constant(b, "/ln/Constant_1", 1e-6f)), Map.of());
    String s = b.node("Sqrt", "/ln/Sqrt", List.of(v), Map.of());
    String n = b.node("Div", "/ln/Div", List.of(d, s), Map.of());
    String weight = b.initializer("weight", GradCheck.randn(61, 0, 6));
    String scaled = b.node("Mul", "/ln/Mul", List.of(n, squared ? n : weight), Map.of());
    String ln = b.node("Add", "/ln/Add_1", List.of(scaled, b.initializer("bias", GradCheck.randn(62, 0, 6))), Map.of());
    String div = b.node("Div", "/gelu/Div", List.of(ln, constant(b, "/gelu/Constant", divisor)), Map.of());
    String erf = b.node("Erf", "/gelu/Erf", List.of(div), Map.of());
    String plusOne = b.node("Add", "/gelu/Add", List.of(erf, constant(b, "/gelu/Constant_1", 1f)), Map.of());
    String times = b.node("Mul", "/gelu/Mul", List.of(ln, plusOne), Map.of());
    b.output(b.node("Mul", "/gelu/Mul_1", List.of(times, constant(b, "/gelu/Constant_2", 0.5f)), Map.of()));
    return new Network(b.build(StandardOps.registry()));
  }

  private final Tensor x = GradCheck.randn(63, 0, 2, 3, 5, 6);
  private final Map<String, Tensor> feeds = Map.of("x", x);

  @Test
  void groupsGiveTheNodesValuesAndGradients() {
    Network net = network((float) Math.sqrt(2));
    // Keeping a tensor inside each group makes them run node by node: the reference.
    Trace nodes = net.forward(feeds, ForwardOptions.keeping(ERF, SQRT));
    Fixtures.assertClose(nodes.get(net.outputName()),
        net.forward(feeds, ForwardOptions.inference()).get(net.outputName()), 1e-5, "output");

    Trace trace = net.forward(feeds, ForwardOptions.forBackward());
    assertNull(trace.stored(ERF), "inside a group, not computed");
    // Computed node by node when asked for, from the layer norm's output as the one op computed it.
    Fixtures.assertClose(nodes.get(ERF), trace.get(ERF), 1e-5, "Erf's output");
    Fixtures.assertClose(nodes.get(net.outputName()), trace.get(net.outputName()), 1e-5, "recorded output");

    Map<String, Tensor> seeds = Map.of(net.outputName(), GradCheck.randn(64, 0, 2, 3, 5, 6));
    List<String> wrt = List.of("x", "weight", "bias");
    Map<String, Tensor> grouped = net.backward(trace, seeds, wrt, BackwardRules.DEFAULT);
    // Asking for a gradient inside each group makes the backward pass go node by node.
    Map<String, Tensor> oneByOne = net.backward(trace, seeds, List.of("x", "weight", "bias", ERF, SQRT),
        BackwardRules.DEFAULT);
    for (String t : wrt) Fixtures.assertClose(oneByOne.get(t), grouped.get(t), 1e-4, "gradient of " + t);
    BackwardRules erfRule = BackwardRules.DEFAULT.with("Erf", (context, op, inputs, outputs, grads, needed) ->
        op.backward(context, inputs, outputs, grads, needed));
    Fixtures.assertClose(oneByOne.get("x"), net.backward(trace, seeds, wrt, erfRule).get("x"), 1e-6, "with a rule");
  }

  @Test
  void aDivisorOtherThanTheRootOfTwoIsNotGelu() {
    Network net = network(2f);
    Trace trace = net.forward(feeds, ForwardOptions.forBackward());
    assertNotNull(trace.stored(ERF), "computed by its node");
    assertNull(trace.stored(SQRT), "the layer norm is still one op");
    Trace nodes = net.forward(feeds, ForwardOptions.keeping(ERF, SQRT));
    Fixtures.assertClose(nodes.get(net.outputName()), trace.get(net.outputName()), 1e-5, "output");
  }

  /** Multiplying the normalized tensor by itself is no layer norm: its nodes run one by one, forward and backward. */
  @Test
  void aSquaredNormIsNotALayerNorm() {
    Network net = network((float) Math.sqrt(2), true);
    Trace trace = net.forward(feeds, ForwardOptions.forBackward());
    assertNotNull(trace.stored(SQRT), "computed by its node");
    Trace nodes = net.forward(feeds, ForwardOptions.keeping(ERF, SQRT));
    Fixtures.assertClose(nodes.get(net.outputName()), trace.get(net.outputName()), 1e-5, "output");
    Map<String, Tensor> seeds = Map.of(net.outputName(), GradCheck.randn(65, 0, 2, 3, 5, 6));
    Fixtures.assertClose(net.backward(trace, seeds, List.of("x", ERF), BackwardRules.DEFAULT).get("x"),
        net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT).get("x"), 1e-4, "gradient of x");
  }
}
