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

  /**
   * Guided backpropagation's and deconvnet's Relu rules on held tensors give the Java rules' values bit for bit,
   * special values of the gradient included: +0 wherever they mask (not -0), 0 for a NaN gradient, infinities
   * kept. Not a NaN output: there oneDNN's Relu mask passes the gradient, where the Java rules give 0 (see
   * {@link Eltwise#clampBackward}).
   */
  @Test
  void theReplacedRulesMatchTheJavaOnesOnSpecialValues() {
    float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, -1.5f, 2.5f,
        Float.MIN_VALUE, -Float.MIN_VALUE};
    Tensor g = dy.copy();
    Tensor y = relu(x).copy();
    for (int i = 0; i < special.length * special.length; i++) {
      g.data()[i] = special[i % special.length];
      float v = special[i / special.length];
      y.data()[i] = Float.isNaN(v) ? 0f : Math.max(0f, v);
    }
    for (org.convscope.engine.BackwardRule rule : new org.convscope.engine.BackwardRule[] {
        org.convscope.engine.ops.Relu.GUIDED, org.convscope.engine.ops.Relu.DECONVNET}) {
      float[] expected = rule.backward(null, null, new Tensor[] {null}, new Tensor[] {y}, new Tensor[] {g},
          new boolean[] {true})[0].data();
      try (BlockedTensor heldY = HeldLayouts.held(y, dnnl_acdb); BlockedTensor heldG = HeldLayouts.held(g, dnnl_acdb)) {
        Value[] dx = ((org.convscope.engine.HeldBackwardRule) rule).backwardHeld(null, null, new Value[] {null},
            new Value[] {new Value(null, heldY)}, new Value(null, heldG), new boolean[] {true}, false);
        assertArrayEquals(expected, dx[0].tensor().data(), rule == org.convscope.engine.ops.Relu.GUIDED ? "guided"
            : "deconvnet");
      }
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
