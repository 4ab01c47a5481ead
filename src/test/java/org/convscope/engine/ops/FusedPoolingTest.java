package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.FusingOp;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.Network;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Pooling through oneDNN in runs that record nothing, on held inputs. Maxima must equal the Java op's exactly;
 * averages may differ by the order of the float additions and by oneDNN dividing where the Java op multiplies
 * by a reciprocal: |a - b| &le; 1e-6 * max|b| (a few units in the last place).
 */
class FusedPoolingTest {
  private static final int C = 8;
  private final Tensor x = GradCheck.randn(31, 0, 2, C, 11, 10);
  private final ExecutionContext c = ExecutionContext.inference();

  /** The identity as a 1x1 convolution, which leaves x held in oneDNN's layout. */
  private HeldTensor held(Tensor t) {
    Conv identity = (Conv) SpatialTesting.op("Conv", 13, 2, 1);
    Tensor eye = Tensor.zeros(C, C, 1, 1);
    for (int i = 0; i < C; i++) eye.data()[i * C + i] = 1;
    return identity.forwardFused(c, new Tensor[] {t, eye}, null, null, null, true).held();
  }

  /** The op on x fused (from a held input, held and unheld output, with a clamp) against its plain run. */
  private void assertFusedMatches(FusingOp op, boolean exact, String what) {
    float[] plain = op.forward(c, new Tensor[] {x})[0].data();
    Activation clamp = Activation.clamp(-0.25f, 0.5f);
    float[] clamped = new float[plain.length];
    for (int i = 0; i < plain.length; i++) clamped[i] = Math.min(Math.max(plain[i], clamp.alpha()), clamp.beta());
    try (HeldTensor in = held(x)) {
      FusingOp.Output unheld = op.forwardFused(c, new Tensor[] {null}, in, null, null, false);
      assertNotNull(unheld, what + " runs through oneDNN");
      assertClose(plain, unheld.tensor().data(), exact, what);
      try (HeldTensor out = op.forwardFused(c, new Tensor[] {null}, in, null, clamp, true).held()) {
        assertClose(clamped, out.toTensor().data(), exact, what + ", clamped and held");
      }
    }
    assertClose(plain, op.forwardFused(c, new Tensor[] {x}, null, null, null, false).tensor().data(), exact,
        what + " from an array");
  }

  @Test
  void maxPoolMatchesTheJavaOp() {
    assertFusedMatches((FusingOp) SpatialTesting.op("MaxPool", 13, 1, 1, "kernel_shape", new int[] {3, 3},
        "strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}), true, "ResNet's max pooling");
    assertFusedMatches((FusingOp) SpatialTesting.op("MaxPool", 13, 1, 1, "kernel_shape", new int[] {3, 2},
        "strides", new int[] {2, 3}, "pads", new int[] {1, 0, 0, 1}, "ceil_mode", 1), true, "ceil mode, pads");
    assertFusedMatches((FusingOp) SpatialTesting.op("MaxPool", 13, 1, 1, "kernel_shape", new int[] {2, 2},
        "dilations", new int[] {2, 1}, "ceil_mode", 1), true, "dilated, ceil mode");
    assertFusedMatches((FusingOp) SpatialTesting.op("MaxPool", 13, 1, 1, "kernel_shape", new int[] {3, 3},
        "strides", new int[] {2, 2}, "auto_pad", "SAME_UPPER"), true, "SAME_UPPER");
    FusingOp withIndices = (FusingOp) SpatialTesting.op("MaxPool", 13, 1, 2, "kernel_shape", new int[] {2, 2});
    assertNull(withIndices.forwardFused(c, new Tensor[] {x}, null, null, Activation.relu(), false),
        "the indices output is the Java op's");
  }

  @Test
  void averagePoolCountsItsDivisorAsTheJavaOp() {
    for (int include : new int[] {0, 1}) {
      assertFusedMatches((FusingOp) SpatialTesting.op("AveragePool", 13, 1, 1, "kernel_shape", new int[] {3, 3},
          "strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}, "count_include_pad", include), false,
          "pads, count_include_pad " + include);
      // 11 x 10 with these pads: ceil mode adds no window, so none hangs past the padding.
      assertFusedMatches((FusingOp) SpatialTesting.op("AveragePool", 13, 1, 1, "kernel_shape", new int[] {3, 3},
          "strides", new int[] {2, 2}, "pads", new int[] {1, 0, 1, 1}, "ceil_mode", 1, "count_include_pad", include),
          false, "ceil mode within the padding, count_include_pad " + include);
    }
    // 10 columns, kernel 3, stride 2, pads 0 and 1: ceil mode's last window hangs one column past the padding.
    FusingOp overhanging = (FusingOp) SpatialTesting.op("AveragePool", 13, 1, 1, "kernel_shape", new int[] {3, 3},
        "strides", new int[] {2, 2}, "pads", new int[] {0, 0, 1, 0}, "ceil_mode", 1, "count_include_pad", 0);
    assertFusedMatches(overhanging, false, "a ceil-mode window past the padding, padding not counted");
    FusingOp counting = (FusingOp) SpatialTesting.op("AveragePool", 13, 1, 1, "kernel_shape", new int[] {3, 3},
        "strides", new int[] {2, 2}, "pads", new int[] {0, 0, 1, 0}, "ceil_mode", 1, "count_include_pad", 1);
    assertNull(counting.forwardFused(c, new Tensor[] {x}, null, null, null, false),
        "oneDNN would count the overhang in the divisor");
  }

  @Test
  void globalAveragePoolMatchesTheJavaOp() {
    assertFusedMatches((FusingOp) SpatialTesting.op("GlobalAveragePool", 13, 1, 1), false, "global average");
  }

  /** conv -> Relu -> MaxPool (ceil mode) -> conv -> AveragePool -> GlobalAveragePool: every tensor stays held. */
  @Test
  void poolingBetweenConvolutionsKeepsTheTensorsHeld() {
    CountingConv.Counts counts = new CountingConv.Counts();
    GraphBuilder b = new GraphBuilder("pooling", 13);
    String in = b.input("x", -1, C, 11, 10);
    String c1 = b.node("Conv", "/c1/Conv", List.of(in, b.initializer("w1", GradCheck.randn(1, 0, C, C, 3, 3))),
        Map.of("pads", new long[] {1, 1, 1, 1}));
    String r1 = b.node("Relu", "/r1/Relu", List.of(c1), Map.of());
    String p1 = b.node("MaxPool", "/p1/MaxPool", List.of(r1), Map.of("kernel_shape", new long[] {3, 3},
        "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}, "ceil_mode", 1L));
    String c2 = b.node("Conv", "/c2/Conv", List.of(p1, b.initializer("w2", GradCheck.randn(2, 0, C, C, 1, 1))),
        Map.of());
    String p2 = b.node("AveragePool", "/p2/AveragePool", List.of(c2), Map.of("kernel_shape", new long[] {2, 2},
        "pads", new long[] {1, 1, 1, 1}, "count_include_pad", 1L));
    String gap = b.node("GlobalAveragePool", "/gap/GlobalAveragePool", List.of(p2), Map.of());
    b.output(gap);
    Network net = new Network(b.build(CountingConv.registry(counts)));
    Map<String, Tensor> feeds = Map.of("x", x);
    Tensor recorded = net.forward(feeds, ForwardOptions.forBackward()).get(gap);
    counts.take();
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(gap);
    assertClose(recorded.data(), fused.data(), false, "network");
    assertEquals("activated 1, held in 1, held out 2", counts.take(), "both convolutions leave their output held, "
        + "and c2 reads the max pooling's");
    // Keeping the max pooling's input: it is computed as an array, and pooled from it.
    Tensor keptRelu = net.forward(feeds, ForwardOptions.keeping(r1)).get(r1);
    assertArrayEquals(net.forward(feeds, ForwardOptions.forBackward()).get(r1).data(), keptRelu.data());
  }

  private static void assertClose(float[] expected, float[] got, boolean exact, String what) {
    if (exact) {
      assertArrayEquals(expected, got, what);
      return;
    }
    assertEquals(expected.length, got.length, what);
    double scale = 0;
    for (float v : expected) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(expected[i] - got[i]) <= 1e-6 * scale)) {
        throw new AssertionError(what + ": " + got[i] + " at " + i + ", expected " + expected[i] + " (max|b| " + scale + ")");
      }
    }
  }
}
