package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.FusingOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.OpSpec;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.Plan;
import org.convscope.engine.dnnl.Pooling;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * ONNX AveragePool over 1, 2 or 3 spatial axes: kernel_shape, strides, pads or auto_pad, dilations, ceil_mode
 * and count_include_pad. With count_include_pad the divisor counts the padding but not the part of a ceil-mode
 * window that hangs past the end padding, as in PyTorch and onnxruntime. The backward pass spreads each output
 * gradient evenly over its window, divided by the same divisor.
 */
public final class AveragePool implements FusingOp, HeldGradientOp {
  private final PoolWindows windows;
  private final boolean countIncludePad;

  private AveragePool(PoolWindows windows, boolean countIncludePad) {
    this.windows = windows;
    this.countIncludePad = countIncludePad;
  }

  /** Builds the op for a node, checking its attributes. */
  public static AveragePool create(OpSpec spec) {
    long include = spec.attributes().getInt("count_include_pad", 0);
    if (include != 0 && include != 1) throw spec.invalid("count_include_pad must be 0 or 1");
    return new AveragePool(PoolWindows.fromSpec(spec), include == 1);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor input = inputs[0];
    PoolWindows.Layout layout = windows.layout(input.shape());
    float[] x = input.data();
    float[] y = new float[Shapes.checkedSize(layout.outputShape())];
    int inSize = layout.inPlaneSize();
    int outSize = layout.outPlaneSize();
    Planes.forEach(layout.planes(), (long) layout.planes() * inSize,
        plane -> forwardPlane(x, plane * inSize, y, plane * outSize, layout));
    return new Tensor[] {Tensor.of(y, layout.outputShape())};
  }

  /** Through oneDNN, when it counts the divisor as ONNX does. */
  @Override
  public Output forwardFused(ExecutionContext context, Tensor[] inputs, HeldTensor heldInput, Addend addend,
      Activation activation, boolean holdOutput) {
    int[] shape = FusedPooling.inputShape(inputs, heldInput);
    return FusedPooling.run(windows.dnnlGeometry(shape, algorithm(), countIncludePad), inputs, heldInput, addend,
        activation, holdOutput);
  }

  /**
   * Through oneDNN, in the layout x was held in, when the forward run left x held and oneDNN counts the divisor
   * as ONNX does; else left to {@link #backward}. DenseNet's transitions pool so.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!needed[0] || inputs[0] == null || !(inputs[0].held() instanceof BlockedTensor x)) return null;
    if (dy.held() != null && !(dy.held() instanceof BlockedTensor)) return null;
    if (Arrays.stream(x.shape()).anyMatch(d -> d == 0)) return null;
    Pooling.Geometry g = windows.dnnlGeometry(x.shape(), algorithm(), countIncludePad);
    if (g == null) return null;
    Plan.Chained dx = Pooling.averageBackward(g, x, (BlockedTensor) dy.held(),
        dy.held() == null ? dy.tensor().data() : null, holdResult);
    return new Value[] {Value.of(dx.held(), dx.values(), x.shape())};
  }

  private Pooling.Algorithm algorithm() {
    return countIncludePad ? Pooling.Algorithm.AVERAGE_INCLUDING_PADDING : Pooling.Algorithm.AVERAGE_EXCLUDING_PADDING;
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor input = inputs[0];
    PoolWindows.Layout layout = windows.layout(input.shape());
    float[] g = outputGrads[0].data();
    float[] dx = new float[input.size()];
    int inSize = layout.inPlaneSize();
    int outSize = layout.outPlaneSize();
    Planes.forEach(layout.planes(), (long) layout.planes() * inSize,
        plane -> backwardPlane(g, plane * outSize, dx, plane * inSize, layout));
    return new Tensor[] {Tensor.of(dx, input.shape())};
  }

  private void forwardPlane(float[] x, int inBase, float[] y, int outBase, PoolWindows.Layout layout) {
    PoolWindows.AxisWindows a0 = layout.axes()[0];
    PoolWindows.AxisWindows a1 = layout.axes()[1];
    PoolWindows.AxisWindows a2 = layout.axes()[2];
    int len1 = layout.in()[1];
    int len2 = layout.in()[2];
    int o = outBase;
    for (int o0 = 0; o0 < layout.out()[0]; o0++) {
      for (int o1 = 0; o1 < layout.out()[1]; o1++) {
        for (int o2 = 0; o2 < layout.out()[2]; o2++) {
          float sum = 0;
          for (int k0 = a0.tapFrom()[o0]; k0 < a0.tapTo()[o0]; k0++) {
            int i0 = a0.first()[o0] + k0 * a0.dilation();
            for (int k1 = a1.tapFrom()[o1]; k1 < a1.tapTo()[o1]; k1++) {
              int row = inBase + (i0 * len1 + a1.first()[o1] + k1 * a1.dilation()) * len2 + a2.first()[o2];
              for (int k2 = a2.tapFrom()[o2]; k2 < a2.tapTo()[o2]; k2++) sum += x[row + k2 * a2.dilation()];
            }
          }
          y[o++] = sum * reciprocal(layout, o0, o1, o2);
        }
      }
    }
  }

  private void backwardPlane(float[] g, int outBase, float[] dx, int inBase, PoolWindows.Layout layout) {
    PoolWindows.AxisWindows a0 = layout.axes()[0];
    PoolWindows.AxisWindows a1 = layout.axes()[1];
    PoolWindows.AxisWindows a2 = layout.axes()[2];
    int len1 = layout.in()[1];
    int len2 = layout.in()[2];
    int o = outBase;
    for (int o0 = 0; o0 < layout.out()[0]; o0++) {
      for (int o1 = 0; o1 < layout.out()[1]; o1++) {
        for (int o2 = 0; o2 < layout.out()[2]; o2++) {
          float share = g[o++] * reciprocal(layout, o0, o1, o2);
          for (int k0 = a0.tapFrom()[o0]; k0 < a0.tapTo()[o0]; k0++) {
            int i0 = a0.first()[o0] + k0 * a0.dilation();
            for (int k1 = a1.tapFrom()[o1]; k1 < a1.tapTo()[o1]; k1++) {
              int row = inBase + (i0 * len1 + a1.first()[o1] + k1 * a1.dilation()) * len2 + a2.first()[o2];
              for (int k2 = a2.tapFrom()[o2]; k2 < a2.tapTo()[o2]; k2++) dx[row + k2 * a2.dilation()] += share;
            }
          }
        }
      }
    }
  }

  /** One over the divisor of window (o0, o1, o2); zero for a window that misses the input entirely. */
  private float reciprocal(PoolWindows.Layout layout, int o0, int o1, int o2) {
    PoolWindows.AxisWindows[] a = layout.axes();
    int count = countIncludePad
        ? a[0].paddedTaps()[o0] * a[1].paddedTaps()[o1] * a[2].paddedTaps()[o2]
        : a[0].taps(o0) * a[1].taps(o1) * a[2].taps(o2);
    return count > 0 ? 1f / count : 0f;
  }
}
