package org.convscope.engine.dnnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
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
  void freedHeldBuffersAreReusedAndTheLargestKept() {
    Dnnl.releaseThreadResources(); // a fresh workspace, without other tests' spares
    Workspace workspace = Dnnl.workspace();
    NativeBuffer big = workspace.borrow(1 << 20);
    workspace.giveBack(big);
    assertSame(big, workspace.borrow(1000), "a spare large enough is reused");
    NativeBuffer[] small = new NativeBuffer[5];
    for (int i = 0; i < small.length; i++) small[i] = workspace.borrow(64);
    workspace.giveBack(big);
    for (NativeBuffer b : small) workspace.giveBack(b);
    assertSame(big, workspace.borrow(1 << 20), "the largest survives when the spares overflow");
    assertNotSame(big, workspace.borrow(1 << 20));
    Dnnl.releaseThreadResources();
  }
}
