package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * a^b with numpy broadcasting. As in ONNX since opset 12, the exponent's type may differ from the base's and
 * the result takes the base's type: an int64 base gives int64 (the double power truncated toward zero). Only
 * float operands get gradients: b a^(b-1) for the base, a^b ln(a) for the exponent, taken as 0 where a^b is 0
 * (PyTorch's choice for a base of 0).
 */
public final class Pow implements Op {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor a = inputs[0];
    BroadcastPlan plan = BroadcastPlan.of(a.shape(), inputs[1].shape());
    double[] e = doubles(inputs[1]);
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
    float[] da = needed[0] ? new float[x.length] : null;
    float[] db = needed[1] && b.isFloat() ? new float[e.length] : null;
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
