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
 * ONNX MaxPool over 1, 2 or 3 spatial axes: kernel_shape, strides, pads or auto_pad, dilations and ceil_mode.
 * The optional second output holds the flat index of each maximum in the input (row-major, or column-major
 * over the spatial axes with storage_order=1). The gradient flows to the maximum of each window; on ties,
 * to the first one in scan order, as PyTorch does. A window holding NaN has NaN as its maximum, as in PyTorch
 * and numpy, except in fused runs (oneDNN's maximum may skip a NaN). The backward pass of a fused run sends
 * the gradient where oneDNN's forward pass finds the maximum, which is the first one too.
 */
public final class MaxPool implements FusingOp, HeldGradientOp {
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
    float[] y = maxima(x, layout, context.outputArray(layout.planes() * layout.outPlaneSize()));
    int[] shape = layout.outputShape();
    Tensor out;
    if (input.isFloat()) {
      out = Tensor.of(y, shape);
    } else {
      // A window can miss the input only with auto_pad and a dilated kernel wider than the input.
      long[] values = new long[y.length];
      for (int o = 0; o < y.length; o++) values[o] = y[o] == Float.NEGATIVE_INFINITY ? Long.MIN_VALUE : (long) y[o];
      out = Tensor.ofLongs(values, shape);
    }
    if (!indicesOutput) return new Tensor[] {out};
    int[] args = firstMaxima(x, y, layout);
    int inSize = layout.inPlaneSize();
    int outSize = layout.outPlaneSize();
    long[] indices = new long[args.length];
    for (int o = 0; o < args.length; o++) indices[o] = (long) (o / outSize) * inSize + flatIndex(args[o], layout);
    return new Tensor[] {out, Tensor.ofLongs(indices, shape)};
  }

  /**
   * Through oneDNN, without the indices output. A training step that keeps state for its backward pass keeps
   * oneDNN's mask of where each maximum came from, and the backward pass reads it ({@link #backwardHeld}).
   */
  @Override
  public Output forwardFused(ExecutionContext context, Tensor[] inputs, HeldTensor heldInput, Addend addend,
      Activation activation, boolean holdOutput) {
    if (indicesOutput) return null;
    int[] shape = FusedPooling.inputShape(inputs, heldInput);
    Pooling.Geometry geometry = windows.dnnlGeometry(shape, Pooling.Algorithm.MAX, false);
    Pooling.TrainingForward out = context.keepsInputs() && activation == null && addend == null
        ? forwardTraining(geometry, inputs[0], heldInput, holdOutput) : null;
    if (out == null) return FusedPooling.run(geometry, inputs, heldInput, addend, activation, holdOutput);
    context.keep(this, heldInput != null ? heldInput : inputs[0], out.mask());
    return new Output(holdOutput ? null : Tensor.of(out.values(), Shapes.toInts(geometry.dst())), out.held());
  }

  /**
   * oneDNN's forward-training pooling of x (a float tensor, or {@code held}), which records its mask; null
   * where oneDNN cannot pool these windows (no {@code geometry}, or an empty output) or read x.
   */
  private static Pooling.TrainingForward forwardTraining(Pooling.Geometry geometry, Tensor x, HeldTensor held,
      boolean holdOutput) {
    if (geometry == null || Arrays.stream(geometry.dst()).anyMatch(d -> d == 0)
        || (held != null ? !(held instanceof BlockedTensor) : !x.isFloat())) {
      return null;
    }
    return Pooling.forwardTraining(geometry, held == null ? x.data() : null, (BlockedTensor) held, holdOutput);
  }

  /**
   * The gradient through oneDNN's mask of where each maximum came from: the one a training step's fused run
   * kept for this x or, outside training, one made now by running the forward pass again on x as the recorded
   * run left it. On a ResNet's pooling at batch 8 that takes about 2 ms against 25 ms or more for the Java pass,
   * which searches each window for its maximum again.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!needed[0] || inputs[0] == null) return null;
    if (dy.held() != null && !(dy.held() instanceof BlockedTensor)) return null;
    Object x = inputs[0].held() != null ? inputs[0].held() : inputs[0].tensor();
    try (Pooling.Mask mask = context.keepsInputs() ? context.takeKept(this, x, Pooling.Mask.class)
        : context.isTraining() ? null : maskNow(inputs[0])) {
      if (mask == null) return null;
      Plan.Chained dx = Pooling.backward(mask, (BlockedTensor) dy.held(), dy.held() == null ? dy.tensor().data() : null,
          holdResult);
      return new Value[] {Value.of(dx.held(), dx.values(), inputs[0].shape())};
    }
  }

  /** oneDNN's mask for x, from its forward-training pass run now; null where oneDNN cannot pool these windows. */
  private Pooling.Mask maskNow(Value x) {
    if (indicesOutput) return null;
    Pooling.Geometry geometry = windows.dnnlGeometry(x.shape(), Pooling.Algorithm.MAX, false);
    Pooling.TrainingForward out = forwardTraining(geometry, x.tensor(), x.held(), true);
    if (out == null) return null;
    out.held().close();
    return out.mask();
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor input = inputs[0];
    PoolWindows.Layout layout = windows.layout(input.shape());
    float[] x = input.data();
    float[] g = outputGrads[0].data();
    if (isTwoByTwoTiling(layout)) {
      return new Tensor[] {Tensor.of(twoByTwoGradient(x, g, layout, context.outputArray(x.length)), input.shape())};
    }
    int inSize = layout.inPlaneSize();
    int outSize = layout.outPlaneSize();
    float[] y = outputs[0] != null ? outputs[0].data() : maxima(x, layout, new float[layout.planes() * outSize]);
    float[] dx = new float[input.size()];
    // One pass per plane finds its maxima and adds their gradients while the plane is in cache. Windows
    // overlap, so a plane's scatter-adds stay on one thread, in output order.
    Planes.forEach(layout.planes(), (long) layout.planes() * inSize, plane -> {
      int[] args = new int[outSize];
      firstMaxima(x, plane * inSize, y, plane * outSize, layout, args, 0);
      for (int o = 0; o < outSize; o++) {
        if (args[o] >= 0) dx[plane * inSize + args[o]] += g[plane * outSize + o];
      }
    });
    return new Tensor[] {Tensor.of(dx, input.shape())};
  }

  /**
   * Whether the windows are the disjoint 2x2 blocks of 2-D planes (kernel 2, stride 2, no padding or dilation),
   * the usual downsampling: then no window overlaps another or leaves the input.
   */
  private static boolean isTwoByTwoTiling(PoolWindows.Layout layout) {
    if (layout.in()[0] != 1 || layout.axes()[0].kernel() != 1) return false;
    for (int axis = 1; axis < PoolWindows.AXES; axis++) {
      PoolWindows.AxisWindows a = layout.axes()[axis];
      if (a.kernel() != 2 || a.dilation() != 1) return false;
      for (int o = 0; o < layout.out()[axis]; o++) {
        if (a.first()[o] != 2 * o || a.tapFrom()[o] != 0 || a.tapTo()[o] != 2) return false;
      }
    }
    return true;
  }

  /**
   * The gradient over disjoint 2x2 windows in one pass: each window's gradient goes to its first tap in scan
   * order that equals the maximum or is NaN (then the maximum is NaN), the rule of {@link #firstMaxima}. The
   * taps are chosen with integer masks, not branches or conditional moves, which mispredict on the ties
   * between ReLU's zeros (more than twice as slow). Rows and columns that an odd size leaves out get 0. Writes
   * {@code dx}, whatever it held, and returns it.
   */
  private static float[] twoByTwoGradient(float[] x, float[] g, PoolWindows.Layout layout, float[] dx) {
    int width = layout.in()[2];
    int inSize = layout.inPlaneSize();
    int outRows = layout.out()[1];
    int outCols = layout.out()[2];
    if (2 * outRows != layout.in()[1] || 2 * outCols != width) Arrays.fill(dx, 0f);
    Planes.forEach(layout.planes(), x.length, plane -> {
      int o = plane * outRows * outCols;
      for (int r = 0; r < outRows; r++) {
        int top = plane * inSize + 2 * r * width;
        for (int c = 0; c < outCols; c++, o++) {
          int i = top + 2 * c;
          float a = x[i];
          float b = x[i + 1];
          float p = x[i + width];
          float q = x[i + width + 1];
          int max = zeroFreeBits(Math.max(Math.max(a, b), Math.max(p, q)));
          int toA = takes(a, max);
          int toB = ~toA & takes(b, max);
          int toP = ~(toA | toB) & takes(p, max);
          int toQ = ~(toA | toB | toP);
          int grad = Float.floatToRawIntBits(g[o]);
          dx[i] = Float.intBitsToFloat(grad & toA);
          dx[i + 1] = Float.intBitsToFloat(grad & toB);
          dx[i + width] = Float.intBitsToFloat(grad & toP);
          dx[i + width + 1] = Float.intBitsToFloat(grad & toQ);
        }
      }
    });
    return dx;
  }

  /** The bits of v with -0 made +0 (adding +0 does that), so that equal floats have equal bits unless NaN. */
  private static int zeroFreeBits(float v) {
    return Float.floatToRawIntBits(v + 0f);
  }

  /** All ones if tap {@code v} equals the maximum (bits {@code max}, from zeroFreeBits) or is NaN, else 0. */
  private static int takes(float v, int max) {
    int bits = zeroFreeBits(v);
    int differs = bits ^ max;
    int equalMask = ~((differs | -differs) >> 31);
    int nanMask = (0x7f800000 - (bits & 0x7fffffff)) >> 31;
    return equalMask | nanMask;
  }

  /**
   * Every window's maximum (NaN if the window holds one; -infinity for a window that misses the input), written
   * over whatever {@code y} held; returns {@code y}.
   */
  private static float[] maxima(float[] x, PoolWindows.Layout layout, float[] y) {
    int inSize = layout.inPlaneSize();
    int outSize = layout.outPlaneSize();
    boolean twoByTwo = isTwoByTwoTiling(layout);
    Planes.forEach(layout.planes(), (long) layout.planes() * inSize, plane -> {
      if (twoByTwo) {
        twoByTwoMaxima(x, plane * inSize, layout, y, plane * outSize);
      } else {
        maxima(x, plane * inSize, layout, y, plane * outSize);
      }
    });
    return y;
  }

  /** The maxima of one plane's disjoint 2x2 windows: a window at a time, with no tables of taps. */
  private static void twoByTwoMaxima(float[] x, int inBase, PoolWindows.Layout layout, float[] y, int outBase) {
    int width = layout.in()[2];
    int outCols = layout.out()[2];
    int o = outBase;
    for (int r = 0; r < layout.out()[1]; r++) {
      int top = inBase + 2 * r * width;
      for (int c = 0; c < outCols; c++, o++) {
        int i = top + 2 * c;
        y[o] = Math.max(Math.max(x[i], x[i + 1]), Math.max(x[i + width], x[i + width + 1]));
      }
    }
  }

  /**
   * The maxima of one plane's windows, a row of windows at a time: for each tap, every window of the row that
   * has it. Math.max is branch-free and the windows of a row are independent, so the loop pipelines, where a
   * compare-and-branch per tap mispredicts on half of them. The order of the taps cannot change a maximum.
   */
  private static void maxima(float[] x, int inBase, PoolWindows.Layout layout, float[] y, int outBase) {
    PoolWindows.AxisWindows a0 = layout.axes()[0];
    PoolWindows.AxisWindows a1 = layout.axes()[1];
    PoolWindows.AxisWindows a2 = layout.axes()[2];
    int len1 = layout.in()[1];
    int len2 = layout.in()[2];
    int rowLength = layout.out()[2];
    int[] first2 = a2.first();
    int o = outBase;
    for (int o0 = 0; o0 < layout.out()[0]; o0++) {
      for (int o1 = 0; o1 < layout.out()[1]; o1++, o += rowLength) {
        Arrays.fill(y, o, o + rowLength, Float.NEGATIVE_INFINITY);
        for (int k0 = a0.tapFrom()[o0]; k0 < a0.tapTo()[o0]; k0++) {
          int i0 = a0.first()[o0] + k0 * a0.dilation();
          for (int k1 = a1.tapFrom()[o1]; k1 < a1.tapTo()[o1]; k1++) {
            int row = inBase + (i0 * len1 + a1.first()[o1] + k1 * a1.dilation()) * len2;
            for (int k2 = 0; k2 < a2.kernel(); k2++) {
              int at = row + k2 * a2.dilation();
              for (int o2 = a2.windowFrom()[k2], end = a2.windowTo()[k2]; o2 < end; o2++) {
                y[o + o2] = Math.max(y[o + o2], x[at + first2[o2]]);
              }
            }
          }
        }
      }
    }
  }

  /**
   * For every output, the position within its plane of the first tap, in scan order, that holds the window's
   * maximum {@code y}: where PyTorch routes the gradient on ties. -1 for a window that misses the input.
   */
  private static int[] firstMaxima(float[] x, float[] y, PoolWindows.Layout layout) {
    int inSize = layout.inPlaneSize();
    int outSize = layout.outPlaneSize();
    int[] args = new int[layout.planes() * outSize];
    Planes.forEach(layout.planes(), (long) layout.planes() * inSize,
        plane -> firstMaxima(x, plane * inSize, y, plane * outSize, layout, args, plane * outSize));
    return args;
  }

  /** One plane's: its input starts at {@code base}, its maxima at {@code from}, its results at {@code argsFrom}. */
  private static void firstMaxima(float[] x, int base, float[] y, int from, PoolWindows.Layout layout, int[] args,
      int argsFrom) {
    PoolWindows.AxisWindows a0 = layout.axes()[0];
    PoolWindows.AxisWindows a1 = layout.axes()[1];
    PoolWindows.AxisWindows a2 = layout.axes()[2];
    int len1 = layout.in()[1];
    int len2 = layout.in()[2];
    int o = from;
    for (int o0 = 0; o0 < layout.out()[0]; o0++) {
      for (int o1 = 0; o1 < layout.out()[1]; o1++) {
        for (int o2 = 0; o2 < layout.out()[2]; o2++, o++) {
          float best = y[o];
          boolean nan = best != best;
          int bestAt = -1;
          search:
          for (int k0 = a0.tapFrom()[o0]; k0 < a0.tapTo()[o0]; k0++) {
            int i0 = a0.first()[o0] + k0 * a0.dilation();
            for (int k1 = a1.tapFrom()[o1]; k1 < a1.tapTo()[o1]; k1++) {
              int row = (i0 * len1 + a1.first()[o1] + k1 * a1.dilation()) * len2;
              for (int k2 = a2.tapFrom()[o2]; k2 < a2.tapTo()[o2]; k2++) {
                int at = row + a2.first()[o2] + k2 * a2.dilation();
                float v = x[base + at];
                if (v == best || (nan && v != v)) {
                  bestAt = at;
                  break search;
                }
              }
            }
          }
          args[argsFrom + o - from] = bestAt;
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
