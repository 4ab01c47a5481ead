package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.ActivationOp;
import org.convscope.engine.BackwardRule;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldBackwardRule;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.Op;
import org.convscope.engine.Parallel;
import org.convscope.engine.dnnl.Eltwise;
import org.convscope.tensor.Tensor;

/**
 * max(0, x), NaN staying NaN as in PyTorch and numpy. Beside the true gradient it defines the two backward rules that attribution methods
 * substitute for it: guided backpropagation and deconvnet.
 */
public final class Relu implements ActivationOp, HeldGradientOp {

  /**
   * Guided backpropagation (Springenberg et al., "Striving for Simplicity: The All Convolutional Net",
   * ICLR 2015 workshop): pass back only positive gradient, and only where the input was positive, which is
   * where the output is.
   */
  public static final BackwardRule GUIDED = new ReplacedRule(true);

  /**
   * Deconvnet (Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014):
   * the ReLU is applied to the gradient itself, whatever the forward input was.
   */
  public static final BackwardRule DECONVNET = new ReplacedRule(false);

  /**
   * GUIDED and DECONVNET: in Java on tensors, and through oneDNN on held gradients, where the backward pass then
   * stays in oneDNN's layout from Relu to Relu (a resnet50 guided backpropagation pass took 1.67 times PyTorch's
   * when each Relu read its gradient back into a Java array). The same values, +0 where masked.
   */
  private static final class ReplacedRule implements HeldBackwardRule {
    private final boolean guided;

    ReplacedRule(boolean guided) {
      this.guided = guided;
    }

    @Override
    public Tensor[] backward(ExecutionContext context, Op op, Tensor[] inputs, Tensor[] outputs, Tensor[] grads,
        boolean[] needed) {
      float[] g = grads[0].data();
      float[] y = guided ? outputs[0].data() : null;
      float[] dx = new float[g.length];
      Parallel.forEachElement(g.length, (from, to) -> {
        if (guided) {
          for (int i = from; i < to; i++) dx[i] = keep(g[i], positive(y[i]) & positive(g[i]));
        } else {
          for (int i = from; i < to; i++) dx[i] = keep(g[i], positive(g[i]));
        }
      });
      return new Tensor[] {Tensor.of(dx, grads[0].shape())};
    }

    @Override
    public boolean readsInput(int j, boolean[] needed) {
      return false;
    }

    @Override
    public boolean readsOutput(int j) {
      return guided;
    }

    @Override
    public Value[] backwardHeld(ExecutionContext context, Op op, Value[] inputs, Value[] outputs, Value dy,
        boolean[] needed, boolean holdResult) {
      if (!HeldGradientOp.firstOnly(needed)) return null;
      Value dx = guided ? Eltwise.guidedReluBackward(dy, outputs[0], holdResult)
          : Eltwise.deconvnetReluBackward(dy, holdResult);
      return dx == null ? null : new Value[] {dx};
    }
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    return Activation.relu();
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    float[] x = inputs[0].data();
    float[] y = context.outputArray(x.length);
    // Math.max compiles to branch-free (and vectorized) code; a comparison mispredicts on half the values.
    Parallel.forEachElement(x.length, (from, to) -> {
      for (int i = from; i < to; i++) y[i] = Math.max(x[i], 0f);
    });
    return new Tensor[] {Tensor.of(y, inputs[0].shape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    // y > 0 exactly where x > 0 (NaN stays NaN), so the mask comes from the output, which a fused run keeps.
    float[] y = outputs[0].data();
    float[] g = outputGrads[0].data();
    float[] dx = context.outputArray(y.length);
    Parallel.forEachElement(y.length, (from, to) -> {
      for (int i = from; i < to; i++) dx[i] = keep(g[i], positive(y[i]));
    });
    return new Tensor[] {Tensor.of(dx, outputs[0].shape())};
  }

  @Override
  public boolean backwardReadsInput(int j, boolean[] needed) {
    return false;
  }

  /** A held gradient goes through oneDNN, with the same mask; one that comes as a tensor, through {@link #backward}. */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    Value dx = HeldGradientOp.firstOnly(needed)
        ? Eltwise.clampBackward(dy, outputs[0], 0f, Float.POSITIVE_INFINITY, holdResult) : null;
    return dx == null ? null : new Value[] {dx};
  }

  /*
   * Masks instead of "x > 0 ? v : 0f" in the gradients: with random signs that branch was mispredicted half the
   * time and the loops ran 5 to 7 times slower; these integer operations are vectorized by the JIT instead.
   */

  /**
   * All ones if x > 0, else 0. The float's bits, read as an int, are in (0, 0x7F800000] exactly when x is
   * positive, not zero and not NaN.
   */
  static int positive(float x) {
    int b = Float.floatToRawIntBits(x);
    return ((-b) >> 31) & ((b - 0x7F800001) >> 31);
  }

  /** {@code v} where the mask is all ones, +0 where it is 0. */
  static float keep(float v, int mask) {
    return Float.intBitsToFloat(Float.floatToRawIntBits(v) & mask);
  }
}
