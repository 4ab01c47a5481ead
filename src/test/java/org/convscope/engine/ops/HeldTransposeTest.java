package org.convscope.engine.ops;

import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd16b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd8b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.convscope.engine.ops.ConvTesting.assertClose;
import static org.convscope.engine.ops.ConvTesting.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.HeldLayouts;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A Transpose to channels-last of a convolution's held output reads it as one copy when the convolution left it
 * channels-last (ConvNeXt's depthwise 7x7 then NCHW to NHWC), and otherwise as before: the values are the same
 * either way, in runs that record and runs that do not, and so is the gradient through it.
 */
class HeldTransposeTest {
  private static final int[] TO_CHANNELS_LAST = {0, 2, 3, 1};
  private static final String Y = "/out/Identity_output_0";

  private final Tensor x = GradCheck.randn(51, 0, 2, 32, 9, 11);
  private final Tensor w = GradCheck.randn(52, 0, 32, 1, 7, 7);
  private final Tensor b = GradCheck.randn(53, 0, 32);

  @Test
  void aChannelsLastHeldTensorIsReadPermutedAsItIsStored() {
    Tensor t = GradCheck.randn(54, 0, 2, 13, 5, 7);
    Tensor expected = new Transpose(TO_CHANNELS_LAST).forward(ExecutionContext.inference(), new Tensor[] {t})[0];
    try (BlockedTensor held = HeldLayouts.held(t, dnnl_acdb)) {
      Tensor got = held.permutedIfStored(TO_CHANNELS_LAST);
      assertArrayEquals(expected.shape(), got.shape());
      assertArrayEquals(expected.data(), got.data());
      assertNull(held.permutedIfStored(new int[] {0, 3, 1, 2}), "another permutation");
    }
    for (int tag : new int[] {dnnl_aBcd8b, dnnl_aBcd16b}) {
      try (BlockedTensor held = HeldLayouts.held(t, tag)) {
        assertNull(held.permutedIfStored(TO_CHANNELS_LAST), "format " + tag);
      }
    }
  }

  @Test
  void theNetworkGivesTheSameValuesAndGradientsWithAndWithoutTheShortcut() {
    Network direct = network(false);
    Network throughIdentity = network(true); // the Identity takes the convolution's output as an array
    Tensor conv = ConvReference.conv(x, w, b, 32, ints(1, 1), ints(1, 1), ints(3, 3), ints(3, 3));
    Tensor expected = new Transpose(TO_CHANNELS_LAST).forward(ExecutionContext.inference(), new Tensor[] {conv})[0];
    float[] e = expected.data();
    for (int i = 0; i < e.length; i++) e[i] = Math.max(e[i], 0);
    Map<String, Tensor> feeds = Map.of("x", x);
    for (Network net : new Network[] {direct, throughIdentity}) {
      assertClose(expected, net.forward(feeds, ForwardOptions.inference()).get(Y));
      assertClose(expected, net.forward(feeds, ForwardOptions.forBackward()).get(Y));
    }
    Tensor seed = GradCheck.randn(55, 0, expected.shape());
    Tensor[] dx = new Tensor[2];
    for (int k = 0; k < 2; k++) {
      Network net = k == 0 ? direct : throughIdentity;
      try (Trace trace = net.forward(feeds, ForwardOptions.forBackward())) {
        dx[k] = net.backward(trace, Map.of(Y, seed), List.of("x"), BackwardRules.DEFAULT).get("x");
      }
    }
    assertClose(dx[1], dx[0]);
  }

  /** x -> depthwise 7x7 (32 channels, padding 3, bias) [-> Identity] -> Transpose to NHWC -> Relu. */
  private Network network(boolean identity) {
    GraphBuilder g = new GraphBuilder("held-transpose", 13);
    String in = g.input("x", -1, 32, 9, 11);
    String c = g.node("Conv", "/dw/Conv", List.of(in, g.initializer("w", w), g.initializer("b", b)),
        Map.of("pads", new long[] {3, 3, 3, 3}, "group", 32L));
    if (identity) c = g.node("Identity", "/id/Identity", List.of(c), Map.of());
    String t = g.node("Transpose", "/t/Transpose", List.of(c), Map.of("perm", new long[] {0, 2, 3, 1}));
    String r = g.node("Relu", "/r/Relu", List.of(t), Map.of());
    g.output(g.node("Identity", "/out/Identity", List.of(r), Map.of()));
    return new Network(g.build(StandardOps.registry()));
  }
}
