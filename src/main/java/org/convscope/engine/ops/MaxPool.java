package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * ONNX MaxPool over 1, 2 or 3 spatial axes: kernel_shape, strides, pads or auto_pad, dilations and ceil_mode.
 * The optional second output holds the flat index of each maximum in the input (row-major, or column-major
 * over the spatial axes with storage_order=1). The gradient flows to the maximum of each window; on ties,
 * to the first one in scan order, as PyTorch does.
 */
public final class MaxPool implements Op {
  private final PoolWindows windows;
  private final boolean indicesOutput;
  private final boolean columnMajorIndices;

  private MaxPool(PoolWindows windows, boolean indicesOutput, boolean columnMajorIndices) {
    this.windows = windows;
    this.indicesOutput = indicesOutput;
    this.columnMajorIndices = columnMajorIndices;
  }

  /** Builds the op for a node, checking its attributes. */
  public static MaxPool create(OpSpec spec) {
    long storageOrder = spec.attributes().getInt("storage_order", 0);
    if (storageOrder != 0 && storageOrder != 1) throw spec.invalid("storage_order must be 0 or 1");
    return new MaxPool(PoolWindows.fromSpec(spec), spec.outputCount() > 1, storageOrder == 1);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor input = inputs[0];
    PoolWindows.Layout layout = windows.layout(input.shape());
    // MaxPool's integer types are 8-bit (held as int64 here), so their values compare exactly as floats.
    float[] x = input.isFloat() ? input.data() : input.toFloats();
    int[] args = argmax(x, layout);
    int inSize = layout.inPlaneSize();
    int outSize = layout.outPlaneSize();
    int[] shape = layout.outputShape();
    Tensor out;
    // A window can miss the input only with auto_pad and a dilated kernel wider than the input.
    if (input.isFloat()) {
      float[] y = new float[args.length];
      for (int o = 0; o < y.length; o++) {
        y[o] = args[o] < 0 ? Float.NEGATIVE_INFINITY : x[o / outSize * inSize + args[o]];
      }
      out = Tensor.of(y, shape);
    } else {
      long[] values = input.longs();
      long[] y = new long[args.length];
      for (int o = 0; o < y.length; o++) y[o] = args[o] < 0 ? Long.MIN_VALUE : values[o / outSize * inSize + args[o]];
      out = Tensor.ofLongs(y, shape);
    }
    if (!indicesOutput) return new Tensor[] {out};
    long[] indices = new long[args.length];
    for (int o = 0; o < args.length; o++) indices[o] = (long) (o / outSize) * inSize + flatIndex(args[o], layout);
    return new Tensor[] {out, Tensor.ofLongs(indices, shape)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor input = inputs[0];
    PoolWindows.Layout layout = windows.layout(input.shape());
    int[] args = argmax(input.data(), layout);
    float[] g = outputGrads[0].data();
    int inSize = layout.inPlaneSize();
    int outSize = layout.outPlaneSize();
    float[] dx = new float[input.size()];
    for (int o = 0; o < args.length; o++) {
      if (args[o] >= 0) dx[o / outSize * inSize + args[o]] += g[o];
    }
    return new Tensor[] {Tensor.of(dx, input.shape())};
  }

  /** For every output, the position within its plane of its window's maximum (-1 for an empty window). */
  private static int[] argmax(float[] x, PoolWindows.Layout layout) {
    int inSize = layout.inPlaneSize();
    int outSize = layout.outPlaneSize();
    int[] args = new int[layout.planes() * outSize];
    Planes.forEach(layout.planes(), (long) layout.planes() * inSize,
        plane -> argmax(x, plane * inSize, layout, args, plane * outSize));
    return args;
  }

  /** Fills args[from ...] with the argmax of each window of the plane that starts at x[base]. */
  private static void argmax(float[] x, int base, PoolWindows.Layout layout, int[] args, int from) {
    PoolWindows.AxisWindows a0 = layout.axes()[0];
    PoolWindows.AxisWindows a1 = layout.axes()[1];
    PoolWindows.AxisWindows a2 = layout.axes()[2];
    int len1 = layout.in()[1];
    int len2 = layout.in()[2];
    int o = from;
    for (int o0 = 0; o0 < layout.out()[0]; o0++) {
      for (int o1 = 0; o1 < layout.out()[1]; o1++) {
        for (int o2 = 0; o2 < layout.out()[2]; o2++) {
          float best = Float.NEGATIVE_INFINITY;
          int bestAt = -1;
          for (int k0 = a0.tapFrom()[o0]; k0 < a0.tapTo()[o0]; k0++) {
            int i0 = a0.first()[o0] + k0 * a0.dilation();
            for (int k1 = a1.tapFrom()[o1]; k1 < a1.tapTo()[o1]; k1++) {
              int row = (i0 * len1 + a1.first()[o1] + k1 * a1.dilation()) * len2;
              for (int k2 = a2.tapFrom()[o2]; k2 < a2.tapTo()[o2]; k2++) {
                int at = row + a2.first()[o2] + k2 * a2.dilation();
                float v = x[base + at];
                if (bestAt < 0 || v > best) {
                  best = v;
                  bestAt = at;
                }
              }
            }
          }
          args[o++] = bestAt;
        }
      }
    }
  }

  /** The index within a plane that the Indices output reports for plane position {@code at}. */
  private int flatIndex(int at, PoolWindows.Layout layout) {
    if (!columnMajorIndices || at < 0) return at;
    int[] len = layout.in();
    int i2 = at % len[2];
    int i1 = (at / len[2]) % len[1];
    int i0 = at / (len[1] * len[2]);
    // Column-major over the spatial axes: the first spatial axis varies fastest.
    return i0 + len[0] * (i1 + len[1] * i2);
  }
}
