package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.Parallel;
import org.convscope.tensor.Tensor;

/**
 * a^b with numpy broadcasting. As in ONNX since opset 12, the exponent's type may differ from the base's and
 * the result takes the base's type: an int64 base gives int64 (the double power truncated toward zero). Only
 * float operands get gradients: b a^(b-1) for the base, a^b ln(a) for the exponent, taken as 0 where a^b is 0
 * (PyTorch's choice for a base of 0).
 *
 * <p>A float base with one exponent (LayerNorm written out squares with Pow(x, 2)) is mapped element by
 * element on every core, and x^2 is x * x: the same float as Math.pow rounded, without its cost. That
 * exponent's gradient, if asked for, is one sum in double.
 */
public final class Pow implements Op {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor a = inputs[0];
    BroadcastPlan plan = BroadcastPlan.of(a.shape(), inputs[1].shape());
    double[] e = doubles(inputs[1]);
    if (a.isFloat() && e.length == 1) {
      float[] x = a.data();
      float[] out = new float[plan.size()];
      double exponent = e[0];
      Parallel.forRange(out.length, grain(exponent), (from, to) -> {
        if (exponent == 2) {
          for (int i = from; i < to; i++) out[i] = x[i] * x[i];
        } else {
          for (int i = from; i < to; i++) out[i] = (float) Math.pow(x[i], exponent);
        }
      });
      return new Tensor[] {Tensor.of(out, plan.shape())};
    }
    if (a.isFloat()) {
      float[] x = a.data();
      float[] out = new float[plan.size()];
      plan.forEachRun((o, ia, sa, ib, sb, n) -> {
        for (int k = 0; k < n; k++) out[o + k] = (float) Math.pow(x[ia + k * sa], e[ib + k * sb]);
      });
      return new Tensor[] {Tensor.of(out, plan.shape())};
    }
    long[] x = a.longs();
    long[] out = new long[plan.size()];
    plan.forEachRun((o, ia, sa, ib, sb, n) -> {
      for (int k = 0; k < n; k++) out[o + k] = (long) Math.pow(x[ia + k * sa], e[ib + k * sb]);
    });
    return new Tensor[] {Tensor.ofLongs(out, plan.shape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor a = inputs[0];
    Tensor b = inputs[1];
    if (!a.isFloat()) return new Tensor[2]; // an int64 result carries no gradient
    BroadcastPlan plan = BroadcastPlan.of(a.shape(), b.shape());
    float[] x = a.data();
    double[] e = doubles(b);
    float[] y = outputs[0].data();
    float[] g = outputGrads[0].data();
    boolean exponentGradient = needed[1] && b.isFloat();
    if (e.length == 1) {
      return new Tensor[] {
          needed[0] ? baseGradient(x, e[0], g, a.shape()) : null,
          exponentGradient ? Tensor.full((float) exponentGradient(x, y, g), b.shape()) : null};
    }
    float[] da = needed[0] ? new float[x.length] : null;
    float[] db = exponentGradient ? new float[e.length] : null;
    plan.forEachRun((o, ia, sa, ib, sb, n) -> {
      for (int k = 0; k < n; k++) {
        double base = x[ia + k * sa];
        double exponent = e[ib + k * sb];
        if (da != null) da[ia + k * sa] += (float) (g[o + k] * exponent * Math.pow(base, exponent - 1));
        if (db != null && y[o + k] != 0) db[ib + k * sb] += (float) (g[o + k] * y[o + k] * Math.log(base));
      }
    });
    return new Tensor[] {
        da == null ? null : Tensor.of(da, a.shape()),
        db == null ? null : Tensor.of(db, b.shape())};
  }

  /** g * b * a^(b-1) for one exponent b, which leaves the base's shape as the output's. */
  private static Tensor baseGradient(float[] x, double exponent, float[] g, int[] shape) {
    float[] da = new float[x.length];
    Parallel.forRange(da.length, grain(exponent), (from, to) -> {
      if (exponent == 2) {
        // (float) (g * 2 * x) in double, to the bit: 2g is exact, and so is 2g * x before the one rounding.
        for (int i = from; i < to; i++) da[i] = 2 * g[i] * x[i];
      } else {
        for (int i = from; i < to; i++) da[i] = (float) (g[i] * exponent * Math.pow(x[i], exponent - 1));
      }
    });
    return Tensor.of(da, shape);
  }

  /** The gradient of a single exponent: g y ln(a) summed where y is not 0, in double, in one fixed order. */
  private static double exponentGradient(float[] x, float[] y, float[] g) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      if (y[i] != 0) sum += g[i] * y[i] * Math.log(x[i]);
    }
    return sum;
  }

  /** Math.pow costs tens of cycles an element, squaring one. */
  private static int grain(double exponent) {
    return exponent == 2 ? Parallel.ELEMENTWISE_GRAIN : ElementwiseActivation.COSTLY_GRAIN;
  }

  private static double[] doubles(Tensor t) {
    double[] out = new double[t.size()];
    if (t.isFloat()) {
      float[] v = t.data();
      for (int i = 0; i < out.length; i++) out[i] = v[i];
    } else {
      long[] v = t.longs();
      for (int i = 0; i < out.length; i++) out[i] = v[i];
    }
    return out;
  }
}
