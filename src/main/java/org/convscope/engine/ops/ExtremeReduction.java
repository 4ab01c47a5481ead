package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Base of ReduceMax and ReduceMin, with the axes rules of {@link Reduction} (axes an input from opset 18).
 * The gradient of each output is shared evenly by the elements that tie for the extreme, as in PyTorch's
 * {@code amax}, so that it sums to the output's gradient.
 */
abstract class ExtremeReduction implements Op {
  private final long[] axesAttribute;
  private final boolean keepDims;
  private final boolean noopWithEmptyAxes;

  ExtremeReduction(long[] axesAttribute, boolean keepDims, boolean noopWithEmptyAxes) {
    this.axesAttribute = axesAttribute == null ? null : axesAttribute.clone();
    this.keepDims = keepDims;
    this.noopWithEmptyAxes = noopWithEmptyAxes;
  }

  /** The extreme of two values. */
  abstract float pick(float a, float b);

  /** The value every extreme improves on: -infinity for a maximum. */
  abstract float start();

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Reduction.Plan p = Reduction.plan(inputs, axesAttribute, keepDims, noopWithEmptyAxes);
    float[] x = inputs[0].data();
    if (p.identity()) return new Tensor[] {Tensor.of(x.clone(), p.outShape())};
    float[] y = new float[Shapes.checkedSize(p.keptShape())];
    Arrays.fill(y, start());
    // The broadcast walk from the input to the kept shape visits each input element with its output's index.
    BroadcastPlan.of(inputs[0].shape(), p.keptShape()).forEachRun((o, a, sa, b, sb, n) -> {
      for (int k = 0; k < n; k++) y[b + k * sb] = pick(y[b + k * sb], x[o + k]);
    });
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
    float[] x = inputs[0].data();
    float[] y = outputs[0].data();
    int[] ties = new int[y.length];
    BroadcastPlan walk = BroadcastPlan.of(inputs[0].shape(), p.keptShape());
    walk.forEachRun((o, a, sa, b, sb, n) -> {
      for (int k = 0; k < n; k++) if (x[o + k] == y[b + k * sb]) ties[b + k * sb]++;
    });
    float[] dx = new float[x.length];
    walk.forEachRun((o, a, sa, b, sb, n) -> {
      for (int k = 0; k < n; k++) if (x[o + k] == y[b + k * sb]) dx[o + k] = g[b + k * sb] / ties[b + k * sb];
    });
    grads[0] = Tensor.of(dx, inputs[0].shape());
    return grads;
  }
}
