package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Graph;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.engine.Traces;
import org.convscope.engine.dnnl.NativeMemory;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A recorded run computes SiLU and HardSwish, as PyTorch exports them (Mul(x, Sigmoid(x)), Mul(x,
 * HardSigmoid(x))), through oneDNN on x held between convolutions, and keeps x and the product held; the
 * backward pass takes the product's gradient to x through oneDNN from the held x. Values and gradients agree
 * with the Java ops' (a run that keeps every tensor, and each op's own backward pass on arrays), and nothing
 * is left allocated.
 */
class HeldGatedProductTest {
  private static final String SILU = "/b1/silu/Mul_output_0";
  private static final String HARD_SWISH = "/b2/hswish/Mul_output_0";

  /**
   * x -> conv -> SiLU -> depthwise conv -> HardSwish -> squeeze-and-excitation (global average pool, 1x1 conv,
   * SiLU, 1x1 conv, Sigmoid, Mul) -> 1x1 conv: the pattern of EfficientNet's and MobileNetV3's blocks.
   */
  private static Graph graph() {
    GraphBuilder b = new GraphBuilder("gated", 13);
    String x = b.input("x", -1, 8, 11, 9);
    Map<String, Object> same = Map.of("pads", new long[] {1, 1, 1, 1});
    String c1 = b.node("Conv", "/b1/Conv", List.of(x, b.initializer("w1", GradCheck.randn(91, 0, 16, 8, 3, 3))), same);
    String silu = b.node("Mul", "/b1/silu/Mul", List.of(c1, b.node("Sigmoid", "/b1/silu/Sigmoid", List.of(c1),
        Map.of())), Map.of());
    String dw = b.node("Conv", "/b2/Conv", List.of(silu, b.initializer("w2", GradCheck.randn(92, 0, 16, 1, 3, 3))),
        Map.of("pads", new long[] {1, 1, 1, 1}, "group", 16L));
    String hswish = b.node("Mul", "/b2/hswish/Mul", List.of(dw, b.node("HardSigmoid", "/b2/hswish/HardSigmoid",
        List.of(dw), Map.of("alpha", 1f / 6, "beta", 0.5f))), Map.of());
    String squeeze = b.node("GlobalAveragePool", "/se/GlobalAveragePool", List.of(hswish), Map.of());
    String reduce = b.node("Conv", "/se/fc1/Conv", List.of(squeeze,
        b.initializer("w3", GradCheck.randn(93, 0, 4, 16, 1, 1))), Map.of());
    String reduced = b.node("Mul", "/se/silu/Mul", List.of(reduce, b.node("Sigmoid", "/se/silu/Sigmoid",
        List.of(reduce), Map.of())), Map.of());
    String expand = b.node("Conv", "/se/fc2/Conv", List.of(reduced,
        b.initializer("w4", GradCheck.randn(94, 0, 16, 4, 1, 1))), Map.of());
    String scale = b.node("Sigmoid", "/se/Sigmoid", List.of(expand), Map.of());
    String scaled = b.node("Mul", "/se/Mul", List.of(hswish, scale), Map.of());
    b.output(b.node("Conv", "/out/Conv", List.of(scaled, b.initializer("w5", GradCheck.randn(95, 0, 8, 16, 1, 1))),
        Map.of()));
    return b.build(StandardOps.registry());
  }

  private final Graph graph = graph();
  private final Network net = new Network(graph);
  private final Tensor x = GradCheck.randn(96, 0, 2, 8, 11, 9);

  @Test
  void productsStayHeldAndAgreeWithTheJavaOps() {
    Set<String> all = new HashSet<>();
    for (Node node : graph.nodes()) all.addAll(node.outputs());
    Trace plain = net.forward(Map.of("x", x), new ForwardOptions(all, true, false));
    try (Trace trace = net.forward(Map.of("x", x), ForwardOptions.forBackward())) {
      assertTrue(Traces.isHeld(trace, SILU), "SiLU's product is held");
      assertTrue(Traces.isHeld(trace, HARD_SWISH), "HardSwish's product is held");
      assertTrue(Traces.isHeld(trace, "/b1/Conv_output_0"), "so is x, for the backward pass");
      for (String t : List.of(SILU, HARD_SWISH, net.outputName())) {
        Fixtures.assertClose(plain.get(t), trace.get(t), 1e-5, t);
      }
      Map<String, Tensor> seeds = Map.of(net.outputName(), GradCheck.randn(97, 0, 2, 8, 11, 9));
      for (List<String> wrt : List.of(List.of("x"), List.of("x", SILU), List.of("/b1/Conv_output_0"))) {
        Map<String, Tensor> arrays = net.backward(plain, seeds, wrt, HeldGradientChainTest.ALL_AS_ARRAYS);
        Map<String, Tensor> held = net.backward(trace, seeds, wrt, BackwardRules.DEFAULT);
        for (String w : wrt) Fixtures.assertClose(arrays.get(w), held.get(w), 1e-5, w + " with " + wrt);
      }
    }
  }

  @Test
  void passesLeaveNothingAllocated() {
    NativeMemory.assertRunsFreeWhatTheyAllocate(this::pass, "saliency passes");
  }

  private void pass() {
    try (Trace trace = net.forward(Map.of("x", x), ForwardOptions.forBackward())) {
      net.backward(trace, Map.of(net.outputName(), Tensor.full(1f, 2, 8, 11, 9)), List.of("x"), BackwardRules.DEFAULT);
    }
  }
}
