package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.GradCheck;
import org.convscope.engine.HeldGradientOp.Value;
import org.convscope.engine.HeldTensor;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A clamp's backward pass on held tensors writes dx over dy when no other handle shares dy, and into memory of
 * its own when one does; either way dx is dy where the output lies strictly inside the bounds and 0 elsewhere.
 */
class ClampBackwardTest {
  private final Tensor x = GradCheck.randn(1, 0, 2, 16, 5, 7);
  private final Tensor dy = GradCheck.randn(2, 0, 2, 16, 5, 7);

  @Test
  void anUnsharedGradientIsWrittenOver() {
    try (BlockedTensor heldY = HeldLayouts.held(relu(x), dnnl_acdb)) {
      BlockedTensor heldDy = HeldLayouts.held(dy, dnnl_acdb);
      try (HeldTensor dx = Eltwise.clampBackward(new Value(null, heldDy), new Value(null, heldY), 0f,
          Float.POSITIVE_INFINITY, true).held()) {
        assertArrayEquals(expected(), dx.toTensor().data());
        assertThrows(IllegalStateException.class, heldDy::toTensor, "dy's memory became dx's");
      } finally {
        heldDy.close();
      }
    }
  }

  @Test
  void aSharedGradientIsLeftAsItWas() {
    try (BlockedTensor heldY = HeldLayouts.held(relu(x), dnnl_acdb);
        BlockedTensor heldDy = HeldLayouts.held(dy, dnnl_acdb);
        BlockedTensor other = heldDy.share();
        HeldTensor dx = Eltwise.clampBackward(new Value(null, heldDy), new Value(null, heldY), 0f,
            Float.POSITIVE_INFINITY, true).held()) {
      assertArrayEquals(expected(), dx.toTensor().data());
      assertArrayEquals(dy.data(), heldDy.toTensor().data(), "dy as it was");
      assertArrayEquals(dy.data(), other.toTensor().data(), "the other handle's view too");
    }
  }

  private static Tensor relu(Tensor t) {
    float[] y = t.data().clone();
    for (int i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]);
    return Tensor.of(y, t.shape());
  }

  /** dy times the mask, as oneDNN computes it: -0.0 where a negative dy is masked. */
  private float[] expected() {
    float[] g = new float[dy.size()];
    for (int i = 0; i < g.length; i++) g[i] = dy.data()[i] * (x.data()[i] > 0 ? 1f : 0f);
    return g;
  }
}
