package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DnnlBindingTest {

  @Test
  void buffersAreAlignedAndRoundTrip() {
    try (NativeBuffer b = new NativeBuffer(4 * 7)) {
      assertEquals(0, b.pointer().address() % 64);
      float[] values = {1, 2, 3, 4, 5, 6, 7};
      b.write(values);
      float[] back = new float[7];
      b.read(back);
      assertArrayEquals(values, back);
      assertThrows(IllegalArgumentException.class, () -> b.write(new float[8]));
    }
  }

  @Test
  void failuresNameTheCallAndTheStatus() {
    DnnlException e = assertThrows(DnnlException.class, () -> Dnnl.check(dnnl_unimplemented, "creating X"));
    assertTrue(e.getMessage().contains("creating X") && e.getMessage().contains("no implementation"), e.getMessage());
  }

  @Test
  void stridedDescriptorsDescribePermutedArrays() {
    // A (2, 3) array stored transposed: element (i, j) at j * 2 + i.
    try (MemoryDesc plain = MemoryDesc.plain(2, 3);
        MemoryDesc transposed = MemoryDesc.strided(new long[] {2, 3}, new long[] {1, 2});
        Primitive reorder = Primitive.reorder(transposed, plain);
        NativeBuffer from = new NativeBuffer(transposed.bytes());
        NativeBuffer to = new NativeBuffer(plain.bytes())) {
      assertArrayEquals(new long[] {2, 3}, transposed.dims());
      assertNotEquals(plain.layoutKey(), transposed.layoutKey());
      from.write(new float[] {0, 3, 1, 4, 2, 5});
      Dnnl.workspace().reorder(reorder, transposed, from, plain, to);
      float[] rowMajor = new float[6];
      to.read(rowMajor);
      assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, rowMajor);
    }
  }

  /** A convolution whose weights oneDNN stores blocked, so that the weight cache has a real reorder to do. */
  private static Primitive blockedConvolution() {
    long[] src = {1, 16, 8, 8};
    long[] weights = {16, 16, 3, 3};
    long[] one = {1, 1};
    try (MemoryDesc s = MemoryDesc.any(src);
        MemoryDesc w = MemoryDesc.any(weights);
        MemoryDesc d = MemoryDesc.any(src)) {
      return Primitive.create("test convolution", (pd, attr) -> dnnl_convolution_forward_primitive_desc_create(pd,
          Dnnl.engine(), dnnl_forward_inference, dnnl_convolution_direct, s.handle(), w.handle(), null, d.handle(),
          one, new long[] {0, 0}, one, one, attr));
    }
  }

  /** An eighth of the machine's memory, so that VGG-16's 553 MB of weights stay reordered on a 24 GB machine. */
  @Test
  void theSharedWeightCacheTakesAnEighthOfMemoryWithinBounds() {
    assertEquals(512L << 20, WeightCache.sharedCapacity(2L << 30));
    assertEquals(512L << 20, WeightCache.sharedCapacity(0));
    assertEquals(3L << 30, WeightCache.sharedCapacity(24L << 30));
    assertEquals(4L << 30, WeightCache.sharedCapacity(256L << 30));
  }

  @Test
  void weightCacheReordersOncePerTensorVersion() {
    WeightCache cache = new WeightCache(1 << 20);
    Tensor w = Tensor.zeros(16, 16, 3, 3);
    for (int i = 0; i < w.size(); i++) w.data()[i] = i;
    Workspace workspace = Dnnl.workspace();
    try (Primitive conv = blockedConvolution();
        Operand operand = Operand.input(DNNL_ARG_WEIGHTS, MemoryDesc.plain(16, 16, 3, 3), conv);
        Primitive back = Primitive.reorder(operand.internal, operand.plain);
        NativeBuffer plain = new NativeBuffer(operand.plain.bytes())) {
      float[] values = new float[w.size()];
      NativeBuffer first;
      try (Lease<WeightCache.Reordered> lease = cache.acquire(w, operand, workspace)) {
        first = lease.get().buffer();
        workspace.reorder(back, operand.internal, first, operand.plain, plain);
        plain.read(values);
        assertArrayEquals(w.data(), values);
      }
      try (Lease<WeightCache.Reordered> lease = cache.acquire(w, operand, workspace)) {
        assertEquals(first, lease.get().buffer());
      }
      w.data()[5] = -1;
      w.markModified();
      try (Lease<WeightCache.Reordered> lease = cache.acquire(w, operand, workspace)) {
        workspace.reorder(back, operand.internal, lease.get().buffer(), operand.plain, plain);
        plain.read(values);
        assertEquals(-1, values[5]);
      }
      assertEquals(1, cache.size());
      cache.acquire(w.copy(), operand, workspace).close();
      assertEquals(2, cache.size());
      cache.clear();
    }
  }
}
