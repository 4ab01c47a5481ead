package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * x for x &gt;= 0, slope * x below, with a learned slope that broadcasts to x (one way: the output has x's
 * shape). PyTorch exports a per-channel slope as {@code [C,1,1]}.
 */
public final class PRelu implements Op {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    float[] x = inputs[0].data();
    float[] slope = inputs[1].data();
    BroadcastPlan plan = plan(inputs[0], inputs[1]);
    float[] y = new float[x.length];
    plan.forEachRun((o, a, aStride, s, sStride, length) -> {
      for (int k = 0; k < length; k++) {
        float v = x[o + k];
        y[o + k] = v >= 0 ? v : slope[s + k * sStride] * v;
      }
    });
    return new Tensor[] {Tensor.of(y, inputs[0].shape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    float[] x = inputs[0].data();
    float[] slope = inputs[1].data();
    float[] g = outputGrads[0].data();
    BroadcastPlan plan = plan(inputs[0], inputs[1]);
    float[] dx = needed[0] ? new float[x.length] : null;
    float[] dslope = needed[1] ? new float[slope.length] : null;
    plan.forEachRun((o, a, aStride, s, sStride, length) -> {
      for (int k = 0; k < length; k++) {
        float v = x[o + k];
        if (v >= 0) {
          if (dx != null) dx[o + k] = g[o + k];
        } else {
          if (dx != null) dx[o + k] = slope[s + k * sStride] * g[o + k];
          if (dslope != null) dslope[s + k * sStride] += v * g[o + k];
        }
      }
    });
    return new Tensor[] {
        dx == null ? null : Tensor.of(dx, inputs[0].shape()),
        dslope == null ? null : Tensor.of(dslope, inputs[1].shape())};
  }

  private static BroadcastPlan plan(Tensor x, Tensor slope) {
    BroadcastPlan plan = BroadcastPlan.of(x.shape(), slope.shape());
    if (!plan.hasShape(x.shape())) {
      throw new IllegalArgumentException("slope of shape " + Shapes.toString(slope.shape())
          + " does not broadcast to the input's shape " + Shapes.toString(x.shape()));
    }
    return plan;
  }
}
