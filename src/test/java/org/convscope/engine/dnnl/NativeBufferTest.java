package org.convscope.engine.dnnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class NativeBufferTest {

  /** Sizes below and above the split into per-core chunks, and one that does not divide evenly. */
  @Test
  void copiesRoundTripExactlyAtEverySize() {
    for (int n : new int[] {1, 1000, (1 << 18) - 1, 3 * (1 << 18) + 7}) {
      float[] values = new float[n];
      for (int i = 0; i < n; i++) values[i] = i * 0.5f - 17;
      try (NativeBuffer buffer = new NativeBuffer((long) n * Float.BYTES)) {
        buffer.write(values);
        assertEquals(values[n - 1], buffer.pointer().get(n - 1), "last element of " + n);
        float[] back = new float[n];
        buffer.read(back);
        assertArrayEquals(values, back, "size " + n);
      }
    }
  }

  @Test
  void theSmallestSpareThatFitsIsTaken() {
    Dnnl.releaseThreadResources(); // a fresh workspace, without other tests' spares
    Workspace workspace = Dnnl.workspace();
    NativeBuffer big = workspace.borrow(1 << 20);
    NativeBuffer small = workspace.borrow(2000);
    workspace.giveBack(big);
    workspace.giveBack(small);
    long allocations = NativeBuffer.allocations();
    assertSame(small, workspace.borrow(1000), "the smallest that fits");
    assertSame(big, workspace.borrow(1000), "then a larger one, rather than a new buffer");
    assertEquals(allocations, NativeBuffer.allocations());
    NativeBuffer larger = workspace.borrow(2 << 20);
    assertEquals(allocations + 1, NativeBuffer.allocations(), "none fits a larger request");
    for (NativeBuffer b : new NativeBuffer[] {small, big, larger}) workspace.giveBack(b);
    Dnnl.releaseThreadResources();
  }

  @Test
  void theOldestSparesAreFreedBeyondTheLimits() {
    long before = NativeBuffer.liveBytes();
    try (Workspace workspace = new Workspace(3, 10_000)) {
      NativeBuffer[] buffers = new NativeBuffer[5];
      for (int i = 0; i < buffers.length; i++) buffers[i] = workspace.borrow(1000 + i);
      for (NativeBuffer b : buffers) workspace.giveBack(b);
      assertEquals(1002 + 1003 + 1004, workspace.spareBytes(), "the three most recent are kept");
      assertEquals(before + workspace.spareBytes(), NativeBuffer.liveBytes(), "the other two are freed");
      assertSame(buffers[4], workspace.borrow(1004));
      NativeBuffer large = workspace.borrow(9000);
      workspace.giveBack(large);
      assertEquals(9000, workspace.spareBytes(), "beyond 10,000 bytes the oldest go, however few");
      workspace.giveBack(workspace.borrow(20_000));
      assertEquals(9000, workspace.spareBytes(), "a buffer over the limit is freed, and the others stay");
      workspace.giveBack(buffers[4]);
    }
    assertEquals(before, NativeBuffer.liveBytes(), "closing the workspace frees its spares");
  }
}
