package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Attributes;
import org.convscope.engine.OpSpec;
import org.convscope.engine.dnnl.Pooling;
import org.convscope.tensor.Shapes;

/**
 * The sliding windows of MaxPool and AveragePool as ONNX defines them: kernel, strides, dilations and
 * padding per spatial axis, with explicit pads or auto_pad, and floor or ceil output sizes (a window that
 * would start in the end padding is dropped, as in PyTorch and onnxruntime).
 *
 * <p>1-D and 2-D pooling run as 3-D pooling whose leading spatial axes have length 1, so one loop nest
 * serves all three.
 */
final class PoolWindows {
  /** Spatial axes of the loop nest; lower-rank pooling pads the front with trivial axes. */
  static final int AXES = 3;

  private final int[] kernel;
  private final int[] strides;
  private final int[] dilations;
  /** Begin pads of every axis, then end pads, as in the ONNX attribute. */
  private final int[] pads;
  private final String autoPad;
  private final boolean ceilMode;

  private PoolWindows(int[] kernel, int[] strides, int[] dilations, int[] pads, String autoPad, boolean ceilMode) {
    this.kernel = kernel;
    this.strides = strides;
    this.dilations = dilations;
    this.pads = pads;
    this.autoPad = autoPad;
    this.ceilMode = ceilMode;
  }

  /** Reads and checks the pooling attributes of a node. */
  static PoolWindows fromSpec(OpSpec spec) {
    Attributes a = spec.attributes();
    if (!a.has("kernel_shape")) throw spec.invalid("required attribute 'kernel_shape' is missing");
    int[] kernel = a.getIntArray("kernel_shape", null);
    int n = kernel.length;
    if (n < 1 || n > AXES) throw spec.invalid("only 1-D, 2-D and 3-D pooling is supported, kernel_shape is " + Arrays.toString(kernel));
    int[] strides = a.getIntArray("strides", filled(n, 1));
    int[] dilations = a.getIntArray("dilations", filled(n, 1));
    int[] pads = a.getIntArray("pads", new int[2 * n]);
    String autoPad = a.getString("auto_pad", "NOTSET");
    if (strides.length != n || dilations.length != n || pads.length != 2 * n) {
      throw spec.invalid("kernel_shape " + Arrays.toString(kernel) + " needs " + n + " strides and dilations and "
          + 2 * n + " pads, got strides " + Arrays.toString(strides) + ", dilations " + Arrays.toString(dilations)
          + ", pads " + Arrays.toString(pads));
    }
    for (int i = 0; i < n; i++) {
      if (kernel[i] < 1 || strides[i] < 1 || dilations[i] < 1) {
        throw spec.invalid("kernel_shape, strides and dilations must be positive");
      }
      // Also guarantees that every window holds at least one input value.
      if (pads[i] < 0 || pads[i + n] < 0 || pads[i] >= kernel[i] || pads[i + n] >= kernel[i]) {
        throw spec.invalid("pads " + Arrays.toString(pads) + " must be non-negative and smaller than the kernel "
            + Arrays.toString(kernel));
      }
    }
    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID") && !autoPad.equals("SAME_UPPER")
        && !autoPad.equals("SAME_LOWER")) {
      throw spec.invalid("auto_pad must be NOTSET, VALID, SAME_UPPER or SAME_LOWER, not '" + autoPad + "'");
    }
    long ceil = a.getInt("ceil_mode", 0);
    if (ceil != 0 && ceil != 1) throw spec.invalid("ceil_mode must be 0 or 1");
    return new PoolWindows(kernel, strides, dilations, pads, autoPad, ceil == 1);
  }

  private static int[] filled(int n, int value) {
    int[] a = new int[n];
    Arrays.fill(a, value);
    return a;
  }

  /** The windows over an input of the given shape (N x C x D1 ... Dk, with k the kernel's rank). */
  Layout layout(int[] inputShape) {
    int n = kernel.length;
    if (inputShape.length != n + 2) {
      throw new IllegalArgumentException(n + "-D pooling needs an input of rank " + (n + 2) + ", got shape "
          + Arrays.toString(inputShape));
    }
    int[] out = new int[AXES];
    int[] in = new int[AXES];
    int[] padBegins = new int[AXES];
    int[] padEnds = new int[AXES];
    AxisWindows[] axes = new AxisWindows[AXES];
    for (int i = 0; i < AXES; i++) {
      int s = i - (AXES - n);
      if (s < 0) {
        in[i] = 1;
        out[i] = 1;
        axes[i] = AxisWindows.of(1, 1, 1, 1, 1, 0, 0);
        continue;
      }
      in[i] = inputShape[s + 2];
      int extent = (kernel[s] - 1) * dilations[s] + 1;
      int padBegin = pads[s];
      int padEnd = pads[s + n];
      switch (autoPad) {
        case "VALID" -> {
          padBegin = 0;
          padEnd = 0;
          out[i] = Math.floorDiv(in[i] - extent, strides[s]) + 1;
        }
        case "SAME_UPPER", "SAME_LOWER" -> {
          out[i] = Math.floorDiv(in[i] + strides[s] - 1, strides[s]);
          int total = Math.max(0, (out[i] - 1) * strides[s] + extent - in[i]);
          int small = total / 2;
          padBegin = autoPad.equals("SAME_UPPER") ? small : total - small;
          padEnd = total - padBegin;
        }
        default -> {
          int room = in[i] + padBegin + padEnd - extent;
          if (ceilMode) {
            out[i] = Math.floorDiv(room + strides[s] - 1, strides[s]) + 1;
            // The last window must start inside the input or the begin padding.
            if (out[i] > 0 && (out[i] - 1) * strides[s] >= in[i] + padBegin) out[i]--;
          } else {
            out[i] = Math.floorDiv(room, strides[s]) + 1;
          }
        }
      }
      if (out[i] < 0) {
        throw new IllegalArgumentException("input of shape " + Arrays.toString(inputShape) + " is smaller than the "
            + "pooling kernel " + Arrays.toString(kernel) + " with dilations " + Arrays.toString(dilations));
      }
      axes[i] = AxisWindows.of(in[i], out[i], kernel[s], strides[s], dilations[s], padBegin, padEnd);
      padBegins[i] = padBegin;
      padEnds[i] = padEnd;
    }
    int[] outputShape = new int[n + 2];
    outputShape[0] = inputShape[0];
    outputShape[1] = inputShape[1];
    System.arraycopy(out, AXES - n, outputShape, 2, n);
    return new Layout(inputShape[0] * inputShape[1], in, out, axes, outputShape, padBegins, padEnds);
  }

  /**
   * These windows over an input of {@code inputShape} as oneDNN pooling, or null when oneDNN cannot express
   * them. With {@code countingPadding} (AveragePool's count_include_pad), also null when a ceil-mode window
   * hangs past the end padding: oneDNN would count that part in the divisor, ONNX does not.
   */
  Pooling.Geometry dnnlGeometry(int[] inputShape, Pooling.Algorithm algorithm, boolean countingPadding) {
    Layout layout = layout(inputShape);
    int n = kernel.length;
    long[] padBegin = new long[n];
    for (int s = 0; s < n; s++) padBegin[s] = layout.padBegin()[s + AXES - n];
    Pooling.Geometry g = Pooling.Geometry.of(algorithm, Shapes.toLongs(inputShape),
        Shapes.toLongs(layout.outputShape()), Shapes.toLongs(kernel), Shapes.toLongs(strides),
        Shapes.toLongs(dilations), padBegin);
    if (g == null || !countingPadding) return g;
    for (int s = 0; s < n; s++) if (g.padEnd()[s] > layout.padEnd()[s + AXES - n]) return null;
    return g;
  }

  /**
   * The windows of one call.
   *
   * @param planes batch size times channels: the independent planes pooled one by one
   * @param in the three spatial input lengths
   * @param out the three spatial output lengths
   * @param outputShape the full output shape
   * @param padBegin the begin padding of the three spatial axes (from pads or auto_pad)
   * @param padEnd their end padding
   */
  record Layout(int planes, int[] in, int[] out, AxisWindows[] axes, int[] outputShape, int[] padBegin,
      int[] padEnd) {
    int inPlaneSize() {
      return in[0] * in[1] * in[2];
    }

    int outPlaneSize() {
      return out[0] * out[1] * out[2];
    }
  }

  /**
   * The windows along one spatial axis. Output position {@code o} reads the input at
   * {@code first[o] + k * dilation} for taps {@code k} in [tapFrom[o], tapTo[o]): the taps that fall inside
   * the input. {@code paddedTaps[o]} counts the taps inside the input plus its padding, which is the divisor
   * of AveragePool with count_include_pad. Seen the other way round, tap {@code k} falls inside the input
   * for the windows in [windowFrom[k], windowTo[k]), a contiguous range because both tap bounds only fall
   * as windows move right; loops that run over the windows for one tap at a time use it.
   */
  record AxisWindows(int dilation, int[] first, int[] tapFrom, int[] tapTo, int[] paddedTaps, int[] windowFrom,
      int[] windowTo) {
    static AxisWindows of(int in, int out, int kernel, int stride, int dilation, int padBegin, int padEnd) {
      int[] first = new int[out];
      int[] from = new int[out];
      int[] to = new int[out];
      int[] padded = new int[out];
      for (int o = 0; o < out; o++) {
        int start = o * stride - padBegin;
        first[o] = start;
        from[o] = start < 0 ? (-start + dilation - 1) / dilation : 0;
        to[o] = Math.min(kernel, Math.floorDiv(in - 1 - start, dilation) + 1);
        padded[o] = Math.min(kernel, Math.floorDiv(in + padEnd - 1 - start, dilation) + 1);
      }
      int[] windowFrom = new int[kernel];
      int[] windowTo = new int[kernel];
      for (int k = 0; k < kernel; k++) {
        int o = 0;
        while (o < out && !(from[o] <= k && k < to[o])) o++;
        windowFrom[k] = o;
        while (o < out && from[o] <= k && k < to[o]) o++;
        windowTo[k] = o;
      }
      return new AxisWindows(dilation, first, from, to, padded, windowFrom, windowTo);
    }

    /** Number of taps of the kernel along this axis. */
    int kernel() {
      return windowFrom.length;
    }

    /** Number of taps of window {@code o} inside the input. */
    int taps(int o) {
      return Math.max(0, tapTo[o] - tapFrom[o]);
    }
  }
}
