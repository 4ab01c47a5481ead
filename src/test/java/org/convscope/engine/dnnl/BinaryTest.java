package org.convscope.engine.dnnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.convscope.engine.GradCheck;
import org.convscope.engine.HeldTensor;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A held tensor times per-channel factors, in oneDNN, against the product computed here. */
class BinaryTest {
  private static final int N = 3;
  private static final int C = 13;
  private static final int H = 5;
  private static final int W = 7;

  /** x held as a convolution's training pass reads it: channel-blocked (nChw8c), 13 channels padded to 16. */
  private static BlockedTensor held(Tensor x) {
    int h = x.dim(2);
    int w = x.dim(3);
    ConvGeometry g = new ConvGeometry(false, x.dim(0), C, C, C, new int[] {h, w}, new int[] {h, w},
        new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0});
    return Convolution.holdTrainingInput(g, x, false);
  }

  @Test
  void factorsPerItemAndChannelOrPerChannel() {
    Tensor x = GradCheck.randn(1, 0, N, C, H, W);
    for (Tensor scale : new Tensor[] {GradCheck.randn(2, 0, N, C, 1, 1), GradCheck.randn(3, 0, 1, C, 1, 1),
        GradCheck.randn(4, 0, N, 1, 1, 1)}) {
      float[] expected = new float[x.size()];
      for (int n = 0; n < N; n++) {
        for (int c = 0; c < C; c++) {
          float f = scale.data()[(scale.dim(0) == 1 ? 0 : n) * scale.dim(1) + (scale.dim(1) == 1 ? 0 : c)];
          for (int i = 0; i < H * W; i++) expected[(n * C + c) * H * W + i] = x.data()[(n * C + c) * H * W + i] * f;
        }
      }
      try (BlockedTensor in = held(x); HeldTensor out = in.timesPerChannel(scale, null)) {
        assertArrayEquals(expected, out.toTensor().data(), "factors " + java.util.Arrays.toString(scale.shape()));
        assertArrayEquals(x.data(), in.toTensor().data(), "x stays as it was");
      }
    }
  }

  /** The factors held too, as the convolution computing them leaves them in a squeeze-and-excitation block. */
  @Test
  void heldFactors() {
    Tensor x = GradCheck.randn(1, 0, N, C, H, W);
    Tensor scale = GradCheck.randn(2, 0, N, C, 1, 1);
    try (BlockedTensor in = held(x); HeldTensor expected = in.timesPerChannel(scale, null);
        BlockedTensor heldScale = held(scale); HeldTensor out = in.timesPerChannel(null, heldScale)) {
      assertArrayEquals(expected.toTensor().data(), out.toTensor().data());
      assertArrayEquals(scale.data(), heldScale.toTensor().data(), "the factors stay as they were");
    }
  }

  @Test
  void factorsOfAnotherShapeAreDeclined() {
    Tensor x = GradCheck.randn(1, 0, N, C, H, W);
    try (BlockedTensor in = held(x)) {
      assertNull(in.timesPerChannel(GradCheck.randn(2, 0, N, C, H, 1), null), "not one per channel");
      assertNull(in.timesPerChannel(GradCheck.randn(2, 0, C, 1, 1), null), "another rank");
      assertNull(in.timesPerChannel(Tensor.ofLongs(new long[C], 1, C, 1, 1), null), "not float");
    }
  }
}
