package org.convscope.engine.dnnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
