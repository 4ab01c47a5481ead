package org.convscope.engine.ops;

import java.util.List;
import java.util.Map;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Graph;
import org.convscope.engine.GraphBuilder;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * ShuffleNetV2's units as torch.onnx writes them (Ma et al., "ShuffleNet V2", ECCV 2018): the input's channels
 * split in two by Slices whose bounds a shape subgraph computes, one half through 1x1, depthwise 3x3 and 1x1
 * convolutions, the halves concatenated, then the channel shuffle: Reshape to [N, 2, C/2, H, W], Transpose of
 * the two channel axes, Reshape back. Runs that record nothing or record for a backward pass keep it all held;
 * outputs must match ONNX Runtime's and a run's that keeps every tensor (so computes on arrays), and so must the
 * gradients.
 */
class ShuffleNetUnitTest {
  private static final int C = 24;
  private final Tensor x = GradCheck.randn(181, 0, 2, 3, 16, 15);

  @Test
  void splitConcatAndShuffleMatchOnnxRuntimeAndTheRunOnArrays() {
    HeldRuns.check(graph(), x, List.of("x", "/unit0/Reshape_1_output_0", "/unit1/Slice_output_0"), 182, "/unit1/Transpose_output_0");
  }

  private static Graph graph() {
    GraphBuilder b = new GraphBuilder("shufflenet", 13);
    String in = b.input("x", -1, 3, 16, 15);
    b.initializer("zero", Tensor.ofLongs(new long[] {0}, 1));
    b.initializer("one", Tensor.ofLongs(new long[] {1}, 1));
    b.initializer("two", Tensor.ofLongs(new long[] {2}, 1));
    b.initializer("axis1", Tensor.ofLongs(new long[] {1}, 1));
    String y = b.node("Conv", "/conv1/Conv", List.of(in, b.initializer("conv1.w", GradCheck.randn(183, 0, C, 3, 3, 3)),
        b.initializer("conv1.b", GradCheck.randn(184, 0, C))), Map.of("pads", new long[] {1, 1, 1, 1}));
    y = b.node("Relu", "/conv1/Relu", List.of(y), Map.of());
    for (int unit = 0; unit < 2; unit++) y = unit(b, "/unit" + unit, y, 190 + 10 * unit);
    return b.output(y).build(StandardOps.registry());
  }

  /** One stride-1 unit: x.chunk(2, dim=1), branch2 on the second half, concatenation, channel shuffle. */
  private static String unit(GraphBuilder b, String scope, String x, int seed) {
    // The split point, C / 2, from the input's shape, as torch.onnx computes it.
    String shape = b.node("Shape", scope + "/Shape", List.of(x), Map.of());
    String channels = b.node("Gather", scope + "/Gather", List.of(shape, "axis1"), Map.of("axis", 0L));
    String half = b.node("Div", scope + "/Div", List.of(channels, "two"), Map.of());
    String end = b.node("Mul", scope + "/Mul", List.of(half, "two"), Map.of());
    String x1 = b.node("Slice", scope + "/Slice", List.of(x, "zero", half, "axis1"), Map.of());
    String x2 = b.node("Slice", scope + "/Slice_1", List.of(x, half, end, "axis1"), Map.of());
    int h = C / 2;
    String t = b.node("Conv", scope + "/branch2.0/Conv", List.of(x2,
        b.initializer(scope + ".b0.w", GradCheck.randn(seed, 0, h, h, 1, 1)),
        b.initializer(scope + ".b0.b", GradCheck.randn(seed + 1, 0, h))), Map.of());
    t = b.node("Relu", scope + "/branch2.2/Relu", List.of(t), Map.of());
    t = b.node("Conv", scope + "/branch2.3/Conv", List.of(t,
        b.initializer(scope + ".b3.w", GradCheck.randn(seed + 2, 0, h, 1, 3, 3)),
        b.initializer(scope + ".b3.b", GradCheck.randn(seed + 3, 0, h))),
        Map.of("group", (long) h, "pads", new long[] {1, 1, 1, 1}));
    t = b.node("Conv", scope + "/branch2.5/Conv", List.of(t,
        b.initializer(scope + ".b5.w", GradCheck.randn(seed + 4, 0, h, h, 1, 1)),
        b.initializer(scope + ".b5.b", GradCheck.randn(seed + 5, 0, h))), Map.of());
    t = b.node("Relu", scope + "/branch2.7/Relu", List.of(t), Map.of());
    String joined = b.node("Concat", scope + "/Concat", List.of(x1, t), Map.of("axis", 1L));
    String split = b.initializer(scope + ".split", Tensor.ofLongs(new long[] {-1, 2, C / 2, 16, 15}, 5));
    String grouped = b.node("Reshape", scope + "/Reshape", List.of(joined, split), Map.of());
    String swapped = b.node("Transpose", scope + "/Transpose", List.of(grouped), Map.of("perm", new long[] {0, 2, 1, 3, 4}));
    String merge = b.initializer(scope + ".merge", Tensor.ofLongs(new long[] {-1, C, 16, 15}, 4));
    return b.node("Reshape", scope + "/Reshape_1", List.of(swapped, merge), Map.of());
  }
}
