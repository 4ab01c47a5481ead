package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.convscope.engine.Activation;
import org.convscope.engine.GradCheck;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A convolution adds a residual before its Relu either into its destination (oneDNN's sum post-op, the residual
 * copied there first unless nothing reads it later) or from the residual's own memory (a binary post-op), when
 * something does. Both give relu(conv(x) + bias + residual), summed here in double precision, and leave a
 * residual that is read later as it was.
 */
class ResidualPostOpTest {
  private static final int N = 2;
  private static final int C = 16;
  private static final int H = 9;
  private static final int W = 7;
  private static final ConvGeometry G = new ConvGeometry(false, N, C, C, 1, new int[] {H, W}, new int[] {H, W},
      new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});

  private final Tensor x = GradCheck.randn(1, 0, N, C, H, W);
  private final Tensor w = GradCheck.randn(2, 0, C, C, 3, 3);
  private final Tensor bias = GradCheck.randn(3, 0, C);
  private final Tensor residual = GradCheck.randn(4, 0, N, C, H, W);

  /** Read later (not consumable) or not; a residual in the output's layout or in another. */
  @ParameterizedTest
  @ValueSource(strings = {"read later, channels-last", "read later, blocked", "consumable, channels-last"})
  void theResidualIsAddedBeforeTheRelu(String how) {
    boolean consumable = how.startsWith("consumable");
    int tag = how.endsWith("blocked") ? Dnnl.channelBlockedTag() : dnnl_acdb;
    double[] expected = reference();
    try (BlockedTensor heldX = HeldLayouts.held(x, dnnl_acdb);
        BlockedTensor heldResidual = HeldLayouts.held(residual, tag)) {
      Plan.Chained y = Convolution.forwardChained(G, x, heldX, w, bias,
          new Plan.Addend(null, heldResidual, consumable), Activation.relu(), true);
      try (BlockedTensor out = y.held()) {
        float[] got = out.toTensor().data();
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], got[i], 1e-4 * (1 + Math.abs(expected[i])), how + " at " + i);
        }
      }
      if (!consumable) assertArrayEquals(residual.data(), heldResidual.toTensor().data(), "the residual is intact");
    }
  }

  /** A residual read from its own memory keeps the kernels a summed one runs: a ResNet block's two shapes. */
  @Test
  void aResidualFromItsOwnMemoryRunsTheSameKernel() {
    for (ConvGeometry g : new ConvGeometry[] {G, pointwise()}) {
      try (MemoryDesc layout = MemoryDesc.tagged(dnnl_acdb, g.dstDims())) {
        assertEquals(Convolution.residualForwardImplementation(g, null),
            Convolution.residualForwardImplementation(g, layout), g.toString());
      }
    }
  }

  private static ConvGeometry pointwise() {
    int[] one = {1, 1};
    int[] zero = {0, 0};
    return new ConvGeometry(false, 1, 64, 256, 1, new int[] {56, 56}, new int[] {56, 56}, one, one, one, zero, zero);
  }

  private double[] reference() {
    double[] y = new double[N * C * H * W];
    float[] xv = x.data();
    float[] wv = w.data();
    for (int n = 0; n < N; n++) {
      for (int o = 0; o < C; o++) {
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < W; j++) {
            int at = ((n * C + o) * H + i) * W + j;
            double sum = bias.data()[o] + residual.data()[at];
            for (int c = 0; c < C; c++) {
              for (int ki = 0; ki < 3; ki++) {
                for (int kj = 0; kj < 3; kj++) {
                  int yi = i + ki - 1;
                  int xj = j + kj - 1;
                  if (yi < 0 || yi >= H || xj < 0 || xj >= W) continue;
                  sum += (double) xv[((n * C + c) * H + yi) * W + xj] * wv[((o * C + c) * 3 + ki) * 3 + kj];
                }
              }
            }
            y[at] = Math.max(0, sum);
          }
        }
      }
    }
    return y;
  }
}
