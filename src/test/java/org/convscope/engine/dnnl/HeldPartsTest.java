package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_abcd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convscope.engine.GradCheck;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parts of a held tensor read where they lie, and the in-place sums a Concat's gradient is gathered with: the
 * values against slices and sums computed here, in row-major, channels-last and channel-blocked layouts.
 */
class HeldPartsTest {
  private static final int N = 2;
  private static final int C = 48;
  private static final int H = 5;
  private static final int W = 3;

  private static int tag(int layout) {
    return switch (layout) {
      case 0 -> dnnl_abcd;
      case 1 -> dnnl_acdb;
      default -> Dnnl.channelBlockedTag();
    };
  }

  /** Channels [from, from + count) of x (N x C x H x W). */
  private static float[] channels(Tensor x, int from, int count) {
    float[] out = new float[N * count * H * W];
    int plane = H * W;
    for (int n = 0; n < N; n++) {
      System.arraycopy(x.data(), (n * C + from) * plane, out, n * count * plane, count * plane);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void partsReadWhereTheyLieAndCopyOut(int layout) {
    Tensor x = GradCheck.randn(1, 0, N, C, H, W);
    try (BlockedTensor held = HeldLayouts.held(x, tag(layout))) {
      for (int[] cut : new int[][] {{0, 16}, {16, 32}, {32, 16}}) {
        try (BlockedTensor part = held.part(new int[] {0, cut[0], 0, 0}, new int[] {N, cut[1], H, W})) {
          assertTrue(held.shared(), "a part is another handle on the same memory");
          assertArrayEquals(channels(x, cut[0], cut[1]), part.toTensor().data(), "channels from " + cut[0]);
          assertFalse(part.layout().dense(), "not memory of its own");
        }
      }
      if (layout == 2 && Dnnl.channelBlock() == 16) {
        assertNull(held.part(new int[] {0, 5, 0, 0}, new int[] {N, 16, H, W}), "a cut through a channel block");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void partsAddIntoASumInPlace(int layout) {
    Tensor x = GradCheck.randn(2, 0, N, C, H, W);
    Tensor sum = GradCheck.randn(3, 0, N, 16, H, W);
    float[] expected = sum.data().clone();
    float[] cut = channels(x, 32, 16);
    for (int i = 0; i < expected.length; i++) expected[i] += cut[i];
    try (BlockedTensor held = HeldLayouts.held(x, tag(layout));
        BlockedTensor part = held.part(new int[] {0, 32, 0, 0}, new int[] {N, 16, H, W});
        BlockedTensor gathered = HeldLayouts.held(sum, tag(layout))) {
      NativeBuffer memory = gathered.buffer();
      assertSame(gathered, gathered.plusInPlace(part), "added where it lies when no other handle reads it");
      assertSame(memory, gathered.buffer());
      assertArrayEquals(expected, gathered.toTensor().data(), 1e-6f);
      assertArrayEquals(cut, part.toTensor().data(), "the part stays as it was");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void aSharedSumOrAPartGetsANewTensor(int layout) {
    Tensor x = GradCheck.randn(4, 0, N, C, H, W);
    Tensor y = GradCheck.randn(5, 0, N, 16, H, W);
    float[] firstPlusY = channels(x, 0, 16);
    for (int i = 0; i < firstPlusY.length; i++) firstPlusY[i] += y.data()[i];
    try (BlockedTensor held = HeldLayouts.held(x, tag(layout));
        BlockedTensor first = held.part(new int[] {0, 0, 0, 0}, new int[] {N, 16, H, W});
        BlockedTensor other = HeldLayouts.held(y, tag(layout));
        BlockedTensor reader = other.share()) {
      try (BlockedTensor sum = other.plusInPlace(first)) {
        assertNotSame(other, sum, "another handle reads it: not written over");
        assertArrayEquals(firstPlusY, sum.toTensor().data(), 1e-6f);
        assertArrayEquals(y.data(), reader.toTensor().data(), "the shared one stays as it was");
      }
      try (BlockedTensor sum = first.plusInPlace(other)) {
        assertNotSame(first, sum, "a part is never written over");
        assertTrue(sum.layout().dense());
        assertArrayEquals(firstPlusY, sum.toTensor().data(), 1e-6f);
        assertArrayEquals(channels(x, 0, 16), first.toTensor().data());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void anOwnedCopyOfAPart(int layout) {
    Tensor x = GradCheck.randn(6, 0, N, C, H, W);
    try (BlockedTensor held = HeldLayouts.held(x, tag(layout))) {
      BlockedTensor part = held.part(new int[] {0, 16, 0, 0}, new int[] {N, 32, H, W});
      try (BlockedTensor owned = part.owned()) {
        assertTrue(owned.layout().dense());
        assertFalse(held.shared(), "the part's handle was closed");
        assertArrayEquals(channels(x, 16, 32), owned.toTensor().data());
        assertSame(owned, owned.owned(), "memory of its own already");
      }
      assertThrows(IllegalStateException.class, part::toTensor);
    }
  }

  /**
   * A channel-blocked tensor whose last block is padded (13 channels in blocks of 16) is memory of its own: owned
   * as it is, and a sum gathered into it in place.
   */
  @org.junit.jupiter.api.Test
  void aPaddedBlockedTensorIsItsOwnMemory() {
    Tensor x = GradCheck.randn(8, 0, N, 13, H, W);
    Tensor y = GradCheck.randn(9, 0, N, 13, H, W);
    float[] expected = x.data().clone();
    for (int i = 0; i < expected.length; i++) expected[i] += y.data()[i];
    try (BlockedTensor held = HeldLayouts.held(x, Dnnl.channelBlockedTag());
        BlockedTensor other = HeldLayouts.held(y, dnnl_acdb)) {
      assertTrue(held.layout().dense());
      assertSame(held, held.owned(), "no copy");
      assertSame(held, held.plusInPlace(other), "added where it lies");
      assertArrayEquals(expected, held.toTensor().data(), 1e-6f);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void aPartIsReadFromItsOwnFirstElement(int layout) {
    Tensor x = GradCheck.randn(7, 0, N, C, H, W);
    try (BlockedTensor held = HeldLayouts.held(x, tag(layout));
        MemoryDesc part = held.layout().submemory(new long[] {N, 16, H, W}, new long[] {0, 32, 0, 0});
        MemoryDesc rebased = part.withoutOffset()) {
      assertEquals(layout == 0 ? 32 * H * W : 32, part.offset());
      assertEquals(0, rebased.offset());
      NativeBuffer view = held.buffer().from(part.offset());
      assertTrue(view.bytes() >= rebased.extentBytes(), "the part fits what follows its first element");
      assertTrue(rebased.extentBytes() < part.bytes(), "oneDNN's size is the whole tensor's");
      float[] expected = channels(x, 32, 16);
      try (MemoryDesc plain = MemoryDesc.plain(N, 16, H, W); NativeBuffer out = new NativeBuffer(plain.bytes())) {
        Reorders.convert(Dnnl.workspace(), part, held.buffer(), plain, out);
        float[] got = new float[expected.length];
        out.read(got);
        assertArrayEquals(expected, got);
      }
      view.close(); // a view owns nothing: its owner's memory stays
      assertArrayEquals(x.data(), held.toTensor().data());
      assertThrows(IllegalArgumentException.class, () -> held.buffer().from(held.buffer().bytes()));
    }
  }
}
