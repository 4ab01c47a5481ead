package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.FusingOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.dnnl.Pooling;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * ONNX GlobalAveragePool: the mean over all spatial axes of an N x C x D1 ... Dk input, keeping them as 1s.
 * Fused runs sum in float (oneDNN), the plain one in double.
 */
public final class GlobalAveragePool implements FusingOp {

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor input = inputs[0];
    int planes = planes(input);
    int size = planeSize(input);
    float[] x = input.data();
    float[] y = new float[planes];
    Planes.forEach(planes, x.length, p -> {
      double sum = 0;
      for (int i = p * size, end = i + size; i < end; i++) sum += x[i];
      y[p] = (float) (sum / size);
    });
    return new Tensor[] {Tensor.of(y, pooledShape(input))};
  }

  /** Through oneDNN, as average pooling with the whole plane as its kernel. */
  @Override
  public Output forwardFused(ExecutionContext context, Tensor[] inputs, HeldTensor heldInput, Addend addend,
      Activation activation, boolean holdOutput) {
    int[] shape = FusedPooling.inputShape(inputs, heldInput);
    if (shape.length < 3) return null;
    int rank = shape.length - 2;
    long[] kernel = new long[rank];
    long[] ones = new long[rank];
    for (int i = 0; i < rank; i++) {
      kernel[i] = shape[i + 2];
      ones[i] = 1;
    }
    long[] src = Shapes.toLongs(shape);
    long[] pooled = src.clone();
    Arrays.fill(pooled, 2, pooled.length, 1);
    Pooling.Geometry g = Pooling.Geometry.of(Pooling.Algorithm.AVERAGE_EXCLUDING_PADDING, src, pooled, kernel, ones,
        ones, new long[rank]);
    return FusedPooling.run(g, inputs, heldInput, addend, activation, holdOutput);
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor input = inputs[0];
    int planes = planes(input);
    int size = planeSize(input);
    float[] g = outputGrads[0].data();
    float[] dx = context.outputArray(input.size());
    Planes.forEach(planes, dx.length, p -> Arrays.fill(dx, p * size, (p + 1) * size, g[p] / size));
    return new Tensor[] {Tensor.of(dx, input.shape())};
  }

  /** Batch size times channels. */
  static int planes(Tensor input) {
    if (input.rank() < 3) {
      throw new IllegalArgumentException("global pooling needs an input of rank 3 or more (N x C x D1 ...), got "
          + input);
    }
    return input.dim(0) * input.dim(1);
  }

  /** Number of values in one channel of one batch item. */
  static int planeSize(Tensor input) {
    int size = 1;
    for (int i = 2; i < input.rank(); i++) size *= input.dim(i);
    return size;
  }

  /** The input shape with every spatial axis reduced to 1. */
  static int[] pooledShape(Tensor input) {
    int[] shape = input.shape();
    Arrays.fill(shape, 2, shape.length, 1);
    return shape;
  }
}
