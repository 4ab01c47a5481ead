package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRule;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GatingOp;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.Op;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SiLU and HardSwish as PyTorch exports them, Mul(x, f(x)), computed in one pass by f's {@link GatingOp}: the
 * product equals the two nodes' bit for bit, its gradient matches finite differences and the two nodes'
 * backward passes, and whatever needs f(x) on its own (a kept tensor, its gradient, a seed there, a rule for
 * Mul or f) still gets it.
 */
class GatedProductTest {
  private static final String GATE = "/a/Sigmoid_output_0";
  private final Tensor x = GradCheck.randn(21, 0, 2, 5, 13, 11);

  /** x -> 3x3 conv -> (the case's product + 0.5) -> 1x1 conv: the Add keeps the product out of the conv's post-ops. */
  private Network network(FusedActivationTest.Case c) {
    GraphBuilder b = new GraphBuilder("gated", 13);
    String in = b.input("x", -1, 5, 13, 11);
    String c1 = b.node("Conv", "/c1/Conv", List.of(in, b.initializer("w1", GradCheck.randn(22, 0, 7, 5, 3, 3))),
        Map.of("pads", new long[] {1, 1, 1, 1}));
    String shifted = b.node("Add", "/s/Add", List.of(c1, b.initializer("half", Tensor.scalar(0.5f))), Map.of());
    String product = c.nodes.apply(b, shifted);
    b.output(b.node("Conv", "/c2/Conv", List.of(product, b.initializer("w2", GradCheck.randn(23, 0, 3, 7, 1, 1))),
        Map.of()));
    return new Network(b.build(StandardOps.registry()));
  }

  enum Gated {
    SILU(FusedActivationTest.Case.SILU, "/a/Sigmoid_output_0", "Sigmoid"),
    SILU_SWAPPED(FusedActivationTest.Case.SILU_SWAPPED, "/a/Sigmoid_output_0", "Sigmoid"),
    HARD_SWISH(FusedActivationTest.Case.HARD_SWISH_AS_EXPORTED, "/a/HardSigmoid_output_0", "HardSigmoid");

    final FusedActivationTest.Case nodes;
    final String gate;
    final String gateType;

    Gated(FusedActivationTest.Case nodes, String gate, String gateType) {
      this.nodes = nodes;
      this.gate = gate;
      this.gateType = gateType;
    }
  }

  /** The gate op's product as an op of its own, for the finite-difference check. */
  private static Op product(GatingOp gate) {
    return new Op() {
      @Override
      public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
        return new Tensor[] {gate.timesInput(inputs[0])};
      }

      @Override
      public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
          boolean[] needed) {
        return new Tensor[] {gate.timesInputGradient(inputs[0], outputGrads[0])};
      }
    };
  }

  @Test
  void productGradientsMatchFiniteDifferences() {
    // Spread wide enough to cross HardSigmoid's kinks and reach Sigmoid's flat tails; odd sizes.
    Tensor wide = GradCheck.randn(24, 0, 3, 7, 11);
    for (int i = 0; i < wide.size(); i++) wide.data()[i] *= 4;
    GradCheck.check(product(new Sigmoid()), wide);
    GradCheck.check(product(new HardSigmoid(1f / 6, 0.5f)), wide);
    GradCheck.check(product(new HardSigmoid(0.3f, 0.4f)), wide);
    // Large enough to split across cores.
    Tensor big = GradCheck.randn(25, 0, 1, 70_001);
    GradCheck.check(product(new Sigmoid()), big);
  }

  @Test
  void productsAreTheTwoNodesValuesBitForBit() {
    Tensor v = GradCheck.randn(26, 0, 1, 100_003);
    for (int i = 0; i < v.size(); i++) v.data()[i] *= 6;
    v.data()[0] = Float.NaN;
    v.data()[1] = Float.POSITIVE_INFINITY;
    v.data()[2] = Float.NEGATIVE_INFINITY;
    v.data()[3] = -100f;
    for (GatingOp gate : List.of(new Sigmoid(), new HardSigmoid(1f / 6, 0.5f))) {
      Tensor f = gate.forward(ExecutionContext.inference(), new Tensor[] {v})[0];
      Tensor expected = new Mul().forward(ExecutionContext.inference(), new Tensor[] {v, f})[0];
      assertArrayEquals(expected.data(), gate.timesInput(v).data(), gate.getClass().getSimpleName());
    }
  }

  @ParameterizedTest
  @EnumSource(Gated.class)
  void networksRunTheProductInOnePassAndKeepEveryTensor(Gated c) {
    Network net = network(c.nodes);
    Map<String, Tensor> feeds = Map.of("x", x);
    // Keeping f(x) makes both nodes run as they are: the reference.
    Trace nodeByNode = net.forward(feeds, ForwardOptions.keeping(c.gate));
    Trace inference = net.forward(feeds, ForwardOptions.inference());
    assertArrayEquals(nodeByNode.get(net.outputName()).data(), inference.get(net.outputName()).data(), "output");

    Trace recorded = net.forward(feeds, ForwardOptions.forBackward());
    assertArrayEquals(nodeByNode.get(c.gate).data(), recorded.get(c.gate).data(), "f(x), computed when asked for");
    Tensor seed = GradCheck.randn(27, 0, recorded.get(net.outputName()).shape());
    Map<String, Tensor> seeds = Map.of(net.outputName(), seed);
    // Asking for f(x)'s gradient too makes the backward pass go node by node.
    Map<String, Tensor> oneOp = net.backward(recorded, seeds, List.of("x", "w1"), BackwardRules.DEFAULT);
    Map<String, Tensor> twoOps = net.backward(recorded, seeds, List.of("x", "w1", c.gate), BackwardRules.DEFAULT);
    for (String t : List.of("x", "w1")) Fixtures.assertClose(twoOps.get(t), oneOp.get(t), 1e-5, c + " " + t);
    assertFalse(isZero(oneOp.get("x")), "a gradient flowed");
  }

  @ParameterizedTest
  @EnumSource(Gated.class)
  void seedsAtTheGateAndRulesForItStillApply(Gated c) {
    Network net = network(c.nodes);
    Trace recorded = net.forward(Map.of("x", x), ForwardOptions.forBackward());
    Tensor seed = GradCheck.randn(28, 0, recorded.get(net.outputName()).shape());
    Tensor gateSeed = GradCheck.randn(29, 0, recorded.get(c.gate).shape());
    Map<String, Tensor> seeds = Map.of(net.outputName(), seed, c.gate, gateSeed);
    Map<String, Tensor> oneOp = net.backward(recorded, seeds, List.of("x"), BackwardRules.DEFAULT);
    Map<String, Tensor> twoOps = net.backward(recorded, seeds, List.of("x", c.gate), BackwardRules.DEFAULT);
    Fixtures.assertClose(twoOps.get("x"), oneOp.get("x"), 1e-5, c + " with a seed at f(x)");

    // A rule that stops the gradient at the node: with it at f only the Mul's direct path, dy * f(x), reaches x.
    BackwardRule stop = (context, op, inputs, outputs, grads, needed) -> {
      Tensor[] zeros = new Tensor[inputs.length];
      for (int j = 0; j < inputs.length; j++) if (needed[j]) zeros[j] = Tensor.zeros(inputs[j].shape());
      return zeros;
    };
    for (String type : List.of(c.gateType, "Mul")) {
      BackwardRules rules = BackwardRules.DEFAULT.with(type, stop);
      Map<String, Tensor> ruled = net.backward(recorded, Map.of(net.outputName(), seed), List.of("x"), rules);
      Map<String, Tensor> reference = net.backward(recorded, Map.of(net.outputName(), seed), List.of("x", c.gate), rules);
      Fixtures.assertClose(reference.get("x"), ruled.get("x"), 1e-6, c + " with a rule for " + type);
    }
  }

  private static boolean isZero(Tensor t) {
    for (float v : t.data()) if (v != 0) return false;
    return true;
  }
}
