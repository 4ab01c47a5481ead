package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.tensor.Tensor;

/** a * b with numpy broadcasting. */
public final class Mul extends BinaryArithmetic implements HeldGradientOp, HeldForwardOp {

  /** Either operand, when the other is a constant (the factors). */
  @Override
  public boolean readsHeld(int j, boolean[] mayBeHeld, Tensor[] constants) {
    return j < 2 && constants[1 - j] != null && constants[1 - j].isFloat();
  }

  /**
   * A held operand times one factor per channel given as a tensor, which may have fewer dimensions (ConvNeXt's
   * layer scale, [C, 1, 1]).
   */
  @Override
  public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
    int j = held[0] != null ? 0 : 1;
    HeldTensor x = held[j];
    Tensor factors = inputs[1 - j];
    if (x == null || held[1 - j] != null || factors == null || !factors.isFloat()) return null;
    int[] shape = x.shape();
    if (factors.rank() > shape.length) return null;
    int[] perChannel = padded(factors.shape(), shape.length);
    if (!HeldTensor.perChannel(perChannel, shape)) return null;
    return x.timesPerChannel(Tensor.of(factors.data(), perChannel), null);
  }

  @Override
  void run(float[] a, int ia, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] * b[ib + k];
  }

  @Override
  void run(float[] a, int ia, float b, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k] * b;
  }

  @Override
  void run(float a, float[] b, int ib, float[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a * b[ib + k];
  }

  @Override
  void run(long[] a, int ia, int sa, long[] b, int ib, int sb, long[] out, int o, int n) {
    for (int k = 0; k < n; k++) out[o + k] = a[ia + k * sa] * b[ib + k * sb];
  }

  /** g * b for a and g * a for b, each summed over the dimensions its operand was broadcast along. */
  @Override
  Tensor[] gradients(BroadcastPlan plan, Tensor a, Tensor b, Tensor y, float[] g, boolean[] needed) {
    return new Tensor[] {
        needed[0] ? reduced(compute(g, plan, b), plan, a.shape()) : null,
        needed[1] ? reduced(compute(g, plan, a), plan, b.shape()) : null};
  }

  /**
   * A held activation x scaled by factors s per channel (a squeeze-and-excitation block, in either operand
   * order), from a held gradient dy: x's gradient dy * s stays held, and the factors' gradient, dy * x summed over
   * each channel's plane, is summed in oneDNN from x held. Anything else is left to {@link #backward}.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    HeldTensor heldDy = dy.held();
    if (heldDy == null || inputs[0] == null || inputs[1] == null) return null;
    int scaled = scaledOperand(inputs, dy.shape());
    if (scaled < 0) return null;
    Value x = inputs[scaled];
    Value factors = inputs[1 - scaled];
    if (factors.tensor() != null && !factors.tensor().isFloat()) return null;
    int[] perChannel = padded(factors.shape(), dy.shape().length);
    Tensor factorValues = factors.tensor() == null ? null : Tensor.of(factors.tensor().data(), perChannel);
    Value[] grads = new Value[2];
    if (needed[1 - scaled]) {
      Tensor sums = x.held() == null ? null : heldDy.productSummedTo(x.held(), perChannel);
      if (sums == null) return null;
      grads[1 - scaled] = new Value(Tensor.of(sums.data(), factors.shape()), null);
    }
    if (needed[scaled]) {
      HeldTensor dx = heldDy.timesPerChannel(factorValues, factors.held());
      if (dx == null) return null;
      grads[scaled] = Value.of(dx, scaled != 0 || holdResult);
    }
    return grads;
  }

  /**
   * Which operand has the output's shape while the other has one factor per channel ([N or 1, C or 1, 1, ...],
   * or fewer leading dimensions, as ConvNeXt's layer scale [C, 1, 1]); -1 when neither.
   */
  private static int scaledOperand(Value[] inputs, int[] outputShape) {
    if (outputShape.length < 3) return -1;
    for (int j = 0; j < 2; j++) {
      int[] factors = inputs[1 - j].shape();
      if (Arrays.equals(inputs[j].shape(), outputShape) && factors.length <= outputShape.length
          && HeldTensor.perChannel(padded(factors, outputShape.length), outputShape)) {
        return j;
      }
    }
    return -1;
  }

  /** {@code shape} with leading dimensions of 1 up to {@code rank}, as broadcasting reads it. */
  private static int[] padded(int[] shape, int rank) {
    int[] padded = new int[rank];
    Arrays.fill(padded, 1);
    System.arraycopy(shape, 0, padded, rank - shape.length, shape.length);
    return padded;
  }
}
