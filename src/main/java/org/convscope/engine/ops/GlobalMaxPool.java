package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * ONNX GlobalMaxPool: the maximum over all spatial axes of an N x C x D1 ... Dk input. The gradient goes to
 * the first maximum of each plane.
 */
public final class GlobalMaxPool implements Op {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor input = inputs[0];
    int planes = GlobalAveragePool.planes(input);
    int size = GlobalAveragePool.planeSize(input);
    float[] x = input.data();
    float[] y = new float[planes];
    Planes.forEach(planes, x.length, p -> y[p] = size == 0 ? Float.NEGATIVE_INFINITY : x[argmax(x, p * size, size)]);
    return new Tensor[] {Tensor.of(y, GlobalAveragePool.pooledShape(input))};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor input = inputs[0];
    int planes = GlobalAveragePool.planes(input);
    int size = GlobalAveragePool.planeSize(input);
    float[] x = input.data();
    float[] g = outputGrads[0].data();
    float[] dx = new float[x.length];
    if (size > 0) Planes.forEach(planes, x.length, p -> dx[argmax(x, p * size, size)] = g[p]);
    return new Tensor[] {Tensor.of(dx, input.shape())};
  }

  /** Index of the first largest value in x[from, from + length). */
  private static int argmax(float[] x, int from, int length) {
    int best = from;
    for (int i = from + 1; i < from + length; i++) if (x[i] > x[best]) best = i;
    return best;
  }
}
