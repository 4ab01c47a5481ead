package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.tensor.Tensor;

/** a + b with numpy broadcasting. */
public final class Add extends BinaryArithmetic implements HeldGradientOp, HeldForwardOp {

  /** Both operands, when both may come held. */
  @Override
  public boolean readsHeld(int j, boolean[] mayBeHeld, Tensor[] constants) {
    return j < 2 && mayBeHeld[0] && mayBeHeld[1];
  }

  /** Two held operands of one shape (a residual connection between blocks that oneDNN runs), in a's layout. */
  @Override
  public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
    if (held[0] == null || held[1] == null || !Arrays.equals(held[0].shape(), held[1].shape())) return null;
    return held[0].plus(held[1]);
  }

  @Override
  void run(float[] a, int ia, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] + b[ib + k];
  }

  @Override
  void run(float[] a, int ia, float b, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] + b;
  }

  @Override
  void run(float a, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a + b[ib + k];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] + b[ib + k * sb];
  }

  /**
   * Needs the operands' shapes only. A fused recorded run may skip an operand (a convolution's output that it
   * added as it wrote) and give null for it; it fuses only Adds that do not broadcast, so that operand has the
   * output's shape. An operand of the output's shape gets the output's gradient itself.
   */
  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    return new Tensor[] {
        needed[0] ? reduced(g, plan, a == null ? plan.shape() : a.shape()) : null,
        needed[1] ? reduced(g, plan, b == null ? plan.shape() : b.shape()) : null};
  }

  /**
   * A held gradient goes on held to each operand of the output's shape, itself to the first and a second handle
   * on the same memory to the other ({@link org.convscope.engine.HeldTensor#share}): a residual block's backward pass then stays in
   * oneDNN's layout through its Add, with no copy (resnet50 copied 22 MB per saliency pass at batch 1 before). A
   * broadcast operand's gradient is a sum, left to {@link #backward}, as is a gradient that comes as a tensor
   * (which both operands share there, uncopied).
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (dy.held() == null) return null;
    for (int j = 0; j < needed.length; j++) {
      if (needed[j] && inputs[j] != null && !Arrays.equals(inputs[j].shape(), dy.shape())) return null;
    }
    Value[] grads = new Value[needed.length];
    boolean handedOn = false;
    for (int j = 0; j < needed.length; j++) {
      if (!needed[j]) continue;
      grads[j] = new Value(null, handedOn ? dy.held().share() : dy.held());
      handedOn = true;
    }
    return grads;
  }

  @Override
  public boolean backwardReadsInput(int j, boolean[] needed) {
    return false;
  }

  @Override
  public boolean backwardReadsOutput(int j) {
    return false;
  }
}
