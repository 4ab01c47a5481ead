package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Base of Softmax and LogSoftmax. From opset 13 they normalize along one axis (default -1); before, the input
 * is coerced to 2-D at {@code axis} (default 1) and each row of the flattened trailing dimensions is
 * normalized. Both reduce to "lanes": {@code n} values {@code stride} apart, one lane per (outer, inner) pair.
 */
abstract class SoftmaxFamily implements Op {
  private final int axis;
  private final boolean coerceTo2d;

  SoftmaxFamily(int axis, boolean coerceTo2d) {
    this.axis = axis;
    this.coerceTo2d = coerceTo2d;
  }

  /** The node's axis attribute, or the default of its opset. */
  static int axis(OpSpec spec) {
    return Math.toIntExact(spec.attributes().getInt("axis", spec.opset() >= 13 ? -1 : 1));
  }

  /** Whether the node's opset coerces the input to 2-D instead of normalizing along one axis. */
  static boolean coercesTo2d(OpSpec spec) {
    return spec.opset() < 13;
  }

  /** Normalizes one lane of {@code x} into {@code y}. */
  abstract void forwardLane(float[] x, float[] y, int start, int stride, int n);

  /** Writes one lane of the input gradient, from the output {@code y} and its gradient {@code g}. */
  abstract void backwardLane(float[] y, float[] g, float[] dx, int start, int stride, int n);

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    float[] x = inputs[0].data();
    float[] y = new float[x.length];
    forEachLane(inputs[0].shape(), (start, stride, n) -> forwardLane(x, y, start, stride, n));
    return new Tensor[] {Tensor.of(y, inputs[0].shape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    float[] y = outputs[0].data();
    float[] g = outputGrads[0].data();
    float[] dx = new float[y.length];
    forEachLane(inputs[0].shape(), (start, stride, n) -> backwardLane(y, g, dx, start, stride, n));
    return new Tensor[] {Tensor.of(dx, inputs[0].shape())};
  }

  private interface LaneVisitor {
    void lane(int start, int stride, int n);
  }

  private void forEachLane(int[] shape, LaneVisitor visitor) {
    int rank = shape.length;
    int a = rank == 0 ? 0 : Shapes.axis(axis, rank);
    int outer = 1;
    for (int d = 0; d < a; d++) outer *= shape[d];
    int n = 1;
    int inner = 1;
    if (coerceTo2d) {
      for (int d = a; d < rank; d++) n *= shape[d];
    } else if (rank > 0) {
      n = shape[a];
      for (int d = a + 1; d < rank; d++) inner *= shape[d];
    }
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) visitor.lane(o * n * inner + i, inner, n);
    }
  }
}
