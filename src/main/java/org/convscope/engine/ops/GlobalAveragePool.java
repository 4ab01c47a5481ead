package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.FusingOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.Plan;
import org.convscope.engine.dnnl.Pooling;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * ONNX GlobalAveragePool: the mean over all spatial axes of an N x C x D1 ... Dk input, keeping them as 1s.
 * Fused runs sum in float (oneDNN), the plain one in double.
 */
public final class GlobalAveragePool implements FusingOp, HeldGradientOp {

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
    return FusedPooling.run(Pooling.Geometry.globalAverage(Shapes.toLongs(shape)), inputs, heldInput, addend,
        activation, holdOutput);
  }

  /**
   * The gradient spread evenly over each plane through oneDNN, held in the layout x was held in: where a
   * squeeze-and-excitation block's backward pass meets its scaling's, the two then add held. Left to
   * {@link #backward} when x is not held or its gradient is not to stay held.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!needed[0] || !holdResult || inputs[0] == null || !(inputs[0].held() instanceof BlockedTensor x)) return null;
    if (dy.held() != null && !(dy.held() instanceof BlockedTensor)) return null;
    int[] shape = x.shape();
    Pooling.Geometry g = shape.length < 3 ? null : Pooling.Geometry.globalAverage(Shapes.toLongs(shape));
    if (g == null || Arrays.stream(shape).anyMatch(d -> d == 0)) return null;
    Plan.Chained dx = Pooling.averageBackward(g, x, (BlockedTensor) dy.held(),
        dy.held() == null ? dy.tensor().data() : null, true);
    return new Value[] {new Value(null, dx.held())};
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
