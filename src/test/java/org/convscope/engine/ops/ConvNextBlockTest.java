package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Graph;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.Network;
import org.convscope.engine.OpRegistry;
import org.convscope.engine.PermutingOp;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A small ConvNeXt as torch.onnx writes one (Liu et al., "A ConvNet for the 2020s", CVPR 2022): a patchify
 * convolution, a channels-first layer norm (a transpose, a layer norm, a transpose back), then two blocks of a
 * depthwise 7x7 convolution, a transpose to channels-last, a layer norm, Linear, GELU, Linear, a transpose back, a
 * layer scale and the residual Add, and a 1x1 convolution. Runs that record nothing or record for a backward pass
 * keep all of it in oneDNN's memory; their outputs must match ONNX Runtime's and a run's that keeps every tensor
 * (so computes on arrays), and so must the gradients and the tensors a closed trace computes again. Built with
 * the layer norm decomposed (opset 13) and as a LayerNormalization node (opset 17).
 */
class ConvNextBlockTest {
  private static final int C = 16;
  private final Tensor x = GradCheck.randn(81, 0, 2, 3, 20, 18);

  @Test
  void decomposedLayerNormsAsPyTorchWritesThemBeforeOpset17() {
    check(13);
  }

  @Test
  void layerNormalizationNodes() {
    check(17);
  }

  private void check(int opset) {
    AtomicInteger heldTransposes = new AtomicInteger();
    Graph graph = graph(opset, countingTransposes(heldTransposes));
    Network network = new Network(graph);
    Tensor unrecorded = network.predict(x);
    assertEquals(6, heldTransposes.getAndSet(0), "every transpose reads its input held and leaves a view");
    Trace recorded = network.forward(Map.of("x", x), ForwardOptions.forBackward());
    assertEquals(6, heldTransposes.getAndSet(0), "a recorded run holds them too");
    Trace plain = network.forward(Map.of("x", x), CountingConv.unfused(network));
    assertEquals(0, heldTransposes.get(), "a run that keeps every tensor computes on arrays");

    HeldRuns.assertOutputsMatch(network, graph, x, unrecorded, recorded, plain);
    // The backward pass reads what the recorded run left held, and what the trace computes again once closed.
    HeldRuns.assertGradientsMatch(network, recorded, plain,
        List.of("x", "/block1/fc1/MatMul_output_0", "/block0/Add_output_0"), 86);
    HeldRuns.assertComputedAgainAfterClose(recorded, plain, "/block0/permute/Transpose_output_0",
        "/block1/Mul_output_0");
  }

  /** The standard ops, with Transposes that count the views they give of held inputs. */
  private static OpRegistry countingTransposes(AtomicInteger views) {
    OpRegistry registry = new OpRegistry();
    for (String type : StandardOps.registry().opTypes()) {
      if (!type.equals("Transpose")) registry.register(type, StandardOps.registry()::create);
    }
    return registry.register("Transpose", spec -> new CountingTranspose(Transpose.fromSpec(spec), views));
  }

  private record CountingTranspose(Transpose transpose, AtomicInteger views) implements PermutingOp, HeldForwardOp {
    @Override
    public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
      return transpose.forward(context, inputs);
    }

    @Override
    public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
        boolean[] needed) {
      return transpose.backward(context, inputs, outputs, outputGrads, needed);
    }

    @Override
    public int[] permutation(int rank) {
      return transpose.permutation(rank);
    }

    @Override
    public boolean readsHeld(int j, boolean[] mayBeHeld, Tensor[] constants) {
      return transpose.readsHeld(j, mayBeHeld, constants);
    }

    @Override
    public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
      HeldTensor view = transpose.forwardHeld(context, inputs, held);
      if (view != null) views.incrementAndGet();
      return view;
    }
  }

  private static Graph graph(int opset, OpRegistry registry) {
    GraphBuilder b = new GraphBuilder("convnext", opset);
    String in = b.input("x", -1, 3, 20, 18);
    b.initializer("two", Tensor.scalar(2));
    b.initializer("epsilon", Tensor.scalar(1e-6f));
    b.initializer("sqrt2", Tensor.scalar((float) Math.sqrt(2)));
    b.initializer("one", Tensor.scalar(1));
    b.initializer("half", Tensor.scalar(0.5f));
    String stem = b.node("Conv", "/stem/Conv", List.of(in, b.initializer("stem.w", GradCheck.randn(82, 0, C, 3, 2, 2)),
        b.initializer("stem.b", GradCheck.randn(83, 0, C))), Map.of("strides", new long[] {2, 2}));
    String y = channelsFirstNorm(b, opset, "/stem/norm", stem, 84);
    for (int block = 0; block < 2; block++) y = block(b, opset, "/block" + block, y, 100 + 20 * block);
    String head = b.node("Conv", "/head/Conv", List.of(y, b.initializer("head.w", GradCheck.randn(85, 0, 8, C, 1, 1))),
        Map.of());
    return b.output(head).build(registry);
  }

  private static String block(GraphBuilder b, int opset, String scope, String x, int seed) {
    String dw = b.node("Conv", scope + "/dw/Conv", List.of(x,
        b.initializer(scope + ".dw.w", GradCheck.randn(seed, 0, C, 1, 7, 7)),
        b.initializer(scope + ".dw.b", GradCheck.randn(seed + 1, 0, C))),
        Map.of("group", (long) C, "pads", new long[] {3, 3, 3, 3}));
    String t = transpose(b, scope + "/permute/Transpose", dw, 0, 2, 3, 1);
    t = layerNorm(b, opset, scope + "/norm", t, seed + 2);
    t = b.node("MatMul", scope + "/fc1/MatMul", List.of(t, b.initializer(scope + ".fc1.w",
        GradCheck.randn(seed + 4, 0, C, 4 * C))), Map.of());
    t = b.node("Add", scope + "/fc1/Add", List.of(b.initializer(scope + ".fc1.b", GradCheck.randn(seed + 5, 0, 4 * C)), t),
        Map.of());
    String e = b.node("Erf", scope + "/act/Erf",
        List.of(b.node("Div", scope + "/act/Div", List.of(t, "sqrt2"), Map.of())), Map.of());
    String phi = b.node("Add", scope + "/act/Add", List.of(e, "one"), Map.of());
    t = b.node("Mul", scope + "/act/Mul_1", List.of(b.node("Mul", scope + "/act/Mul", List.of(t, phi), Map.of()),
        "half"), Map.of());
    t = b.node("MatMul", scope + "/fc2/MatMul", List.of(t, b.initializer(scope + ".fc2.w",
        GradCheck.randn(seed + 6, 0, 4 * C, C))), Map.of());
    t = b.node("Add", scope + "/fc2/Add", List.of(b.initializer(scope + ".fc2.b", GradCheck.randn(seed + 7, 0, C)), t),
        Map.of());
    t = transpose(b, scope + "/permute_back/Transpose", t, 0, 3, 1, 2);
    t = b.node("Mul", scope + "/Mul", List.of(b.initializer(scope + ".layer_scale",
        GradCheck.randn(seed + 8, 0, C, 1, 1)), t), Map.of());
    return b.node("Add", scope + "/Add", List.of(t, x), Map.of());
  }

  /** torchvision's LayerNorm2d: to channels-last, normalized over the channels, and back. */
  private static String channelsFirstNorm(GraphBuilder b, int opset, String scope, String x, int seed) {
    String t = transpose(b, scope + "/Transpose", x, 0, 2, 3, 1);
    t = layerNorm(b, opset, scope, t, seed);
    return transpose(b, scope + "/Transpose_1", t, 0, 3, 1, 2);
  }

  private static String layerNorm(GraphBuilder b, int opset, String scope, String x, int seed) {
    String scale = b.initializer(scope + ".weight", GradCheck.randn(seed, 0, C));
    String bias = b.initializer(scope + ".bias", GradCheck.randn(seed + 1, 0, C));
    if (opset >= 17) {
      return b.node("LayerNormalization", scope + "/LayerNormalization", List.of(x, scale, bias),
          Map.of("axis", -1L, "epsilon", 1e-6f));
    }
    Map<String, Object> lastAxis = Map.of("axes", new long[] {-1});
    String mean = b.node("ReduceMean", scope + "/ReduceMean", List.of(x), lastAxis);
    String centered = b.node("Sub", scope + "/Sub", List.of(x, mean), Map.of());
    String squared = b.node("Pow", scope + "/Pow", List.of(centered, "two"), Map.of());
    String variance = b.node("ReduceMean", scope + "/ReduceMean_1", List.of(squared), lastAxis);
    String std = b.node("Sqrt", scope + "/Sqrt", List.of(b.node("Add", scope + "/Add", List.of(variance, "epsilon"),
        Map.of())), Map.of());
    String standardized = b.node("Div", scope + "/Div", List.of(centered, std), Map.of());
    String scaled = b.node("Mul", scope + "/Mul", List.of(standardized, scale), Map.of());
    return b.node("Add", scope + "/Add_1", List.of(scaled, bias), Map.of());
  }

  private static String transpose(GraphBuilder b, String name, String x, long... perm) {
    return b.node("Transpose", name, List.of(x), Map.of("perm", perm));
  }
}
