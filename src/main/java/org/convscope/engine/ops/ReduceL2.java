package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * Euclidean norm over axes, sqrt(sum x^2), with the axes rules of {@link Reduction} (axes an input from opset
 * 18); with {@code noop_with_empty_axes} and no axes it is the identity, as the spec says. PyTorch writes it
 * for {@code F.normalize} (Swin V2's cosine attention). The gradient x / norm is taken as 0 where the norm is 0.
 */
public final class ReduceL2 implements Op {
  private final long[] axesAttribute;
  private final boolean keepDims;
  private final boolean noopWithEmptyAxes;

  public ReduceL2(long[] axesAttribute, boolean keepDims, boolean noopWithEmptyAxes) {
    this.axesAttribute = axesAttribute == null ? null : axesAttribute.clone();
    this.keepDims = keepDims;
    this.noopWithEmptyAxes = noopWithEmptyAxes;
  }

  static ReduceL2 create(OpSpec spec) {
    Reduction.Settings s = Reduction.settings(spec, 18);
    return new ReduceL2(s.axes(), s.keepDims(), s.noopWithEmptyAxes());
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Reduction.Plan p = Reduction.plan(inputs, axesAttribute, keepDims, noopWithEmptyAxes);
    float[] x = inputs[0].data();
    if (p.identity()) return new Tensor[] {Tensor.of(x.clone(), p.outShape())};
    float[] squares = new float[x.length];
    for (int i = 0; i < x.length; i++) squares[i] = x[i] * x[i];
    float[] y = BroadcastPlan.sumTo(squares, inputs[0].shape(), p.keptShape());
    for (int i = 0; i < y.length; i++) y[i] = (float) Math.sqrt(y[i]);
    return new Tensor[] {Tensor.of(y, p.outShape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Reduction.Plan p = Reduction.plan(inputs, axesAttribute, keepDims, noopWithEmptyAxes);
    float[] g = outputGrads[0].data();
    Tensor[] grads = new Tensor[inputs.length];
    if (p.identity()) {
      grads[0] = Tensor.of(g.clone(), p.outShape());
      return grads;
    }
    float[] y = outputs[0].data();
    float[] ratio = new float[y.length];
    for (int i = 0; i < y.length; i++) ratio[i] = y[i] == 0 ? 0 : g[i] / y[i];
    float[] x = inputs[0].data();
    float[] dx = BroadcastPlan.expand(ratio, p.keptShape(), inputs[0].shape());
    for (int i = 0; i < dx.length; i++) dx[i] *= x[i];
    grads[0] = Tensor.of(dx, inputs[0].shape());
    return grads;
  }
}
