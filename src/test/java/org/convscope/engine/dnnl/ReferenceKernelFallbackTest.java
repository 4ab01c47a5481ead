package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import org.convscope.engine.Activation;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Element-wise work on held tensors in layouts oneDNN has only its reference kernel for on some CPUs runs in
 * another layout ({@link Primitive#preferringJit}): on AVX-512, 8-channel blocks and 16-channel blocks padded at
 * the end (13 channels here) for HardSwish's backward pass and a per-channel product. Whatever the layout, the
 * values are those computed in Java.
 */
class ReferenceKernelFallbackTest {
  private static final int N = 2;
  private static final int C = 13;
  private static final int H = 5;
  private static final int W = 6;
  private static final int[] LAYOUTS = {dnnl_aBcd8b, dnnl_aBcd16b, dnnl_acdb, dnnl_abcd};
  private static final Activation HARD_SWISH = new Activation(Activation.Kind.HARD_SWISH, 1 / 6f, 0.5f);

  @Test
  void everyLayoutGetsAJitKernel() {
    long[] dims = {N, C, H, W};
    long[] factorDims = {N, C, 1, 1};
    for (int tag : LAYOUTS) {
      try (MemoryDesc layout = MemoryDesc.tagged(tag, dims)) {
        Primitive backward = Primitive.preferringJit(layout, l -> Primitive.withForwardHint("hardswish",
            (pd, attr) -> dnnl_eltwise_forward_primitive_desc_create(pd, Dnnl.engine(), dnnl_forward_training,
                dnnl_eltwise_hardswish, l.handle(), l.handle(), 1 / 6f, 0.5f, attr),
            hint -> Primitive.create("hardswish backward", (pd, attr) -> dnnl_eltwise_backward_primitive_desc_create(
                pd, Dnnl.engine(), dnnl_eltwise_hardswish, l.handle(), l.handle(), l.handle(), 1 / 6f, 0.5f, hint,
                attr))));
        Primitive product = Primitive.preferringJit(layout, l -> {
          try (MemoryDesc factors = MemoryDesc.tagged(dnnl_abcd, factorDims)) {
            return Primitive.create("binary mul", (pd, attr) -> dnnl_binary_primitive_desc_create(pd, Dnnl.engine(),
                dnnl_binary_mul, l.handle(), factors.handle(), l.handle(), attr));
          }
        });
        try (backward; product) {
          assertFalse(backward.implementation().startsWith("ref"), "hardswish backward, format " + tag);
          assertFalse(product.implementation().startsWith("ref"), "product, format " + tag);
        }
      }
    }
  }

  @Test
  void hardSwishBackwardAndPerChannelProductsGiveJavasValues() {
    Random random = new Random(11);
    Tensor x = random(random, N, C, H, W);
    Tensor dy = random(random, N, C, H, W);
    Tensor factors = random(random, N, C, 1, 1);
    for (int tag : LAYOUTS) {
      try (BlockedTensor heldX = HeldLayouts.held(x, tag);
          BlockedTensor heldDy = HeldLayouts.held(dy, tag);
          BlockedTensor dx = Eltwise.backward(HARD_SWISH, heldX, null, heldDy);
          BlockedTensor scaled = heldX.timesPerChannel(factors, null)) {
        float[] gotDx = dx.toTensor().data();
        float[] gotScaled = scaled.toTensor().data();
        for (int i = 0; i < x.size(); i++) {
          float v = x.data()[i];
          double derivative = v <= -3 ? 0 : v >= 3 ? 1 : (2 * v + 3) / 6.0;
          assertEquals(dy.data()[i] * derivative, gotDx[i], 1e-5, "hardswish backward, format " + tag + " at " + i);
          assertEquals(v * factors.data()[i / (H * W)], gotScaled[i], 1e-6, "product, format " + tag + " at " + i);
        }
      }
    }
  }

  private static Tensor random(Random random, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) t.data()[i] = (float) (3 * random.nextGaussian());
    return t;
  }
}
