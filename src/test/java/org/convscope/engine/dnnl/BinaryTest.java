package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd16b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd8b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convscope.engine.GradCheck;
import org.convscope.engine.HeldTensor;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A held tensor times per-channel factors, and the sum of two held tensors, in oneDNN, against the results
 * computed here.
 */
class BinaryTest {
  private static final int N = 3;
  private static final int C = 13;
  private static final int H = 5;
  private static final int W = 7;

  /** x held as a convolution's training pass reads it: channel-blocked (nChw16c or nChw8c), 13 channels padded. */
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

  /** Two gradients of one tensor meeting held, in one layout or in two (the second is reordered into the first's). */
  @Test
  void sumsOfHeldTensors() {
    Tensor a = GradCheck.randn(5, 0, N, C, H, W);
    Tensor b = GradCheck.randn(6, 0, N, C, H, W);
    float[] expected = new float[a.size()];
    for (int i = 0; i < expected.length; i++) expected[i] = a.data()[i] + b.data()[i];
    for (int tag : new int[] {dnnl_acdb, dnnl_aBcd8b, dnnl_aBcd16b}) {
      try (BlockedTensor heldA = HeldLayouts.held(a, dnnl_acdb); BlockedTensor heldB = HeldLayouts.held(b, tag);
          BlockedTensor sum = heldA.plus(heldB)) {
        assertArrayEquals(expected, sum.toTensor().data(), "b in format " + tag);
        assertTrue(sum.layout().channelsLast(), "in the first operand's layout");
        assertArrayEquals(a.data(), heldA.toTensor().data(), "a stays as it was");
        assertArrayEquals(b.data(), heldB.toTensor().data(), "b stays as it was");
      }
    }
  }

  @Test
  void sumsOfAnotherShapeAreDeclined() {
    try (BlockedTensor a = HeldLayouts.held(GradCheck.randn(5, 0, N, C, H, W), dnnl_acdb);
        BlockedTensor b = HeldLayouts.held(GradCheck.randn(6, 0, N, C, H, W + 1), dnnl_acdb)) {
      assertNull(a.plus(b));
    }
  }

  /** A shared handle reads the same memory, which outlives the first handle and is freed with the last. */
  @Test
  void aSharedHandleOutlivesItsOriginal() {
    Tensor x = GradCheck.randn(7, 0, N, C, H, W);
    BlockedTensor original = HeldLayouts.held(x, Dnnl.channelBlockedTag());
    Workspace workspace = Dnnl.workspace();
    long spare = workspace.spareBytes();
    BlockedTensor shared = original.share();
    assertSame(original.buffer(), shared.buffer());
    assertTrue(original.shared() && shared.shared(), "both know the buffer is shared");
    assertThrows(IllegalStateException.class, original::takeBuffer, "a shared buffer is never written over");
    original.close();
    original.close();
    assertEquals(spare, workspace.spareBytes(), "the buffer stays while a handle is open");
    assertArrayEquals(x.data(), shared.toTensor().data());
    assertTrue(shared.layout().channelBlockedNatively(), "in the original's layout");
    assertFalse(shared.shared(), "the last handle");
    long bytes = shared.buffer().bytes();
    shared.close();
    assertThrows(IllegalStateException.class, shared::toTensor);
    assertEquals(spare + bytes, workspace.spareBytes(), "the buffer went back to the workspace, once");
  }
}
