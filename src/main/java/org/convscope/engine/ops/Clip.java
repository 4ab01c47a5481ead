package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.ActivationOp;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.OpSpec;
import org.convscope.engine.Parallel;
import org.convscope.engine.dnnl.Eltwise;
import org.convscope.tensor.Tensor;

/**
 * min(max(x, min), max). Before opset 11 the bounds are attributes; from 11 they are optional scalar inputs.
 * A missing bound is the type's extreme value, as in ONNX Runtime, so infinities clip to the largest finite
 * float. Gradient flows to x only where min &lt; x &lt; max, and to a bound input where that bound is the
 * output. int64 tensors are clipped too (forward only).
 */
public final class Clip implements ActivationOp, HeldGradientOp {
  /** Bounds given as attributes (opset &lt; 11); null when they come as inputs. */
  private final float[] attributeBounds;

  private Clip(float[] attributeBounds) {
    this.attributeBounds = attributeBounds;
  }

  /** Clip with bounds taken from its optional second and third inputs (opset 11 and later). */
  public static Clip withBoundInputs() {
    return new Clip(null);
  }

  /** Clip with fixed bounds (the attributes of opset 6). */
  public static Clip withBounds(float min, float max) {
    return new Clip(new float[] {min, max});
  }

  static Clip create(OpSpec spec) {
    if (spec.opset() >= 11) {
      if (spec.attributes().has("min") || spec.attributes().has("max")) {
        throw spec.invalid("min and max are inputs since opset 11, not attributes");
      }
      return withBoundInputs();
    }
    if (spec.inputCount() > 1) throw spec.invalid("before opset 11, min and max are attributes, not inputs");
    return withBounds(spec.attributes().getFloat("min", -Float.MAX_VALUE), spec.attributes().getFloat("max", Float.MAX_VALUE));
  }

  /**
   * All ones if lo &lt; x &lt; hi, else 0, without branches (see {@link Relu}): with gradual underflow a float
   * difference is positive exactly when the first operand is greater, it overflows only to +infinity, which
   * still counts as positive, and it is NaN (not positive) whenever a comparison with NaN would be false.
   */
  static int inside(float x, float lo, float hi) {
    return Relu.positive(x - lo) & Relu.positive(hi - x);
  }

  @Override
  public Activation activation(Tensor[] inputs) {
    Tensor min = input(inputs, 1);
    Tensor max = input(inputs, 2);
    if ((min != null && (!min.isFloat() || min.size() != 1)) || (max != null && (!max.isFloat() || max.size() != 1))) {
      return null;
    }
    float lo = lower(min);
    float hi = upper(max);
    return lo <= hi ? Activation.clamp(lo, hi) : null;
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor min = input(inputs, 1);
    Tensor max = input(inputs, 2);
    if (!x.isFloat()) return new Tensor[] {clipLongs(x, min, max)};
    float lo = lower(min);
    float hi = upper(max);
    float[] v = x.data();
    float[] y = new float[v.length];
    Parallel.forEachElement(v.length, (from, to) -> {
      for (int i = from; i < to; i++) y[i] = Math.min(Math.max(v[i], lo), hi);
    });
    return new Tensor[] {Tensor.of(y, x.shape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    float[] g = outputGrads[0].data();
    Tensor min = input(inputs, 1);
    Tensor max = input(inputs, 2);
    float lo = lower(min);
    float hi = upper(max);
    // y = min(m, hi) with m = max(x, lo): each element's gradient goes to whichever argument won.
    boolean boundGradients = (min != null && needed[1]) || (max != null && needed[2]);
    if (!boundGradients) {
      // The usual case (ReLU6 in an explanation): x's gradient alone, element by element on every core. The
      // mask comes from y, which lies strictly inside (lo, hi) exactly where x does; a fused run keeps only y.
      float[] y = outputs[0].data();
      float[] dx = new float[y.length];
      Parallel.forEachElement(y.length, (from, to) -> {
        for (int i = from; i < to; i++) dx[i] = Relu.keep(g[i], inside(y[i], lo, hi));
      });
      Tensor[] grads = new Tensor[inputs.length];
      grads[0] = Tensor.of(dx, outputGrads[0].shape());
      return grads;
    }
    float[] x = inputs[0].data();
    float[] dx = needed[0] ? new float[x.length] : null;
    double dlo = 0;
    double dhi = 0;
    for (int i = 0; i < x.length; i++) {
      float m = Math.max(x[i], lo);
      if (m < hi) {
        if (x[i] > lo) {
          if (dx != null) dx[i] = g[i];
        } else {
          dlo += g[i];
        }
      } else if (m > hi) {
        dhi += g[i];
      }
    }
    Tensor[] grads = new Tensor[inputs.length];
    if (dx != null) grads[0] = Tensor.of(dx, inputs[0].shape());
    if (min != null && needed[1]) grads[1] = Tensor.full((float) dlo, min.shape());
    if (max != null && needed[2]) grads[2] = Tensor.full((float) dhi, max.shape());
    return grads;
  }

  /** A held gradient goes through oneDNN, with the same mask; one that comes as a tensor, through {@link #backward}. */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!HeldGradientOp.firstOnly(needed)) return null;
    Tensor[] bounds = new Tensor[inputs.length];
    for (int j = 1; j < inputs.length; j++) {
      if (inputs[j] == null) continue;
      if (inputs[j].tensor() == null) return null;
      bounds[j] = inputs[j].tensor();
    }
    Activation clamp = activation(bounds);
    Value dx = clamp == null ? null : Eltwise.clampBackward(dy, outputs[0], clamp.alpha(), clamp.beta(), holdResult);
    return dx == null ? null : new Value[] {dx};
  }

  /** The bounds' gradients alone need x itself. */
  @Override
  public boolean backwardReadsInput(int j, boolean[] needed) {
    return j != 0 || (needed.length > 1 && needed[1]) || (needed.length > 2 && needed[2]);
  }

  private static Tensor input(Tensor[] inputs, int i) {
    return i < inputs.length ? inputs[i] : null;
  }

  private float lower(Tensor min) {
    if (attributeBounds != null) return attributeBounds[0];
    return min == null ? -Float.MAX_VALUE : scalar(min).data()[0];
  }

  private float upper(Tensor max) {
    if (attributeBounds != null) return attributeBounds[1];
    return max == null ? Float.MAX_VALUE : scalar(max).data()[0];
  }

  private static Tensor scalar(Tensor bound) {
    if (bound.size() != 1) throw new IllegalArgumentException("Clip bounds must be scalars, got " + bound);
    return bound;
  }

  private static Tensor clipLongs(Tensor x, Tensor min, Tensor max) {
    long lo = min == null ? Long.MIN_VALUE : scalar(min).longs()[0];
    long hi = max == null ? Long.MAX_VALUE : scalar(max).longs()[0];
    long[] v = x.longs();
    long[] y = new long[v.length];
    for (int i = 0; i < v.length; i++) y[i] = Math.min(Math.max(v[i], lo), hi);
    return Tensor.ofLongs(y, x.shape());
  }
}
