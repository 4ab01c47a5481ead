package org.convscope.engine.ops;

import java.util.Arrays;
import java.util.List;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * ONNX Resize on tensors of any rank. Opset 10 takes (X, scales) and samples like Upsample. From opset 11 it
 * takes (X, roi, scales, sizes) with the modes nearest (four rounding rules), linear and cubic (cubic_coeff_a,
 * exclude_outside), every coordinate_transformation_mode including tf_crop_and_resize with its roi and
 * extrapolation_value, and from opset 18 the axes and keep_aspect_ratio_policy attributes. antialias is not
 * supported. Output lengths from scales are {@code floor(length * scale)}. The gradient flows to X only, as
 * the transpose of the sampling.
 */
public final class Resize implements Op {
  private enum AspectPolicy { STRETCH, NOT_LARGER, NOT_SMALLER }

  private final Resampling resampling;
  /** Position of the scales input: 1 in opset 10, 2 after. */
  private final int scalesInput;
  /** The axes roi, scales and sizes refer to (opset 18); null for all axes. */
  private final int[] axes;
  private final AspectPolicy aspectPolicy;

  private Resize(Resampling resampling, int scalesInput, int[] axes, AspectPolicy aspectPolicy) {
    this.resampling = resampling;
    this.scalesInput = scalesInput;
    this.axes = axes;
    this.aspectPolicy = aspectPolicy;
  }

  /** Builds the op for a node, checking its attributes. */
  public static Resize create(OpSpec spec) {
    if (spec.opset() < 11) return new Resize(Resampling.legacy(spec), 1, null, AspectPolicy.STRETCH);
    var a = spec.attributes();
    if (a.getInt("antialias", 0) != 0) throw spec.invalid("antialias=1 is not supported");
    Resampling resampling = new Resampling(
        Resampling.parse(spec, "mode", "nearest", Resampling.Interpolation.values()),
        Resampling.parse(spec, "coordinate_transformation_mode", "half_pixel",
            Resampling.Coordinates.values()),
        Resampling.parse(spec, "nearest_mode", "round_prefer_floor", Resampling.Rounding.NEAREST_MODES),
        a.getFloat("cubic_coeff_a", -0.75f),
        a.getInt("exclude_outside", 0) != 0,
        a.getFloat("extrapolation_value", 0f));
    return new Resize(resampling, 2, a.getIntArray("axes", null),
        Resampling.parse(spec, "keep_aspect_ratio_policy", "stretch", AspectPolicy.values()));
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {resampling.apply(inputs[0], plan(inputs))};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor[] grads = new Tensor[inputs.length];
    grads[0] = resampling.applyTranspose(outputGrads[0], inputs[0].shape(), plan(inputs));
    return grads;
  }

  /** Works out the output shape from scales or sizes and returns the per-axis sampling. */
  private List<Resampling.AxisTaps> plan(Tensor[] inputs) {
    int[] inShape = inputs[0].shape();
    int rank = inShape.length;
    int[] resized = resizedAxes(rank);
    Tensor scales = present(inputs, scalesInput);
    Tensor sizes = scalesInput == 2 ? present(inputs, 3) : null;
    if ((scales == null) == (sizes == null)) {
      throw new IllegalArgumentException("Resize needs exactly one of scales and sizes");
    }
    double[] roi = resampling.cropsToRoi() ? roi(present(inputs, 1), resized, rank) : null;

    int[] outShape = inShape.clone();
    double[] widths = new double[rank];
    double[] factors = new double[rank];
    for (int i = 0; i < rank; i++) {
      widths[i] = inShape[i];
      factors[i] = 1;
    }
    if (scales != null) {
      float[] s = values(scales, resized.length, "scales").toFloats();
      for (int i = 0; i < resized.length; i++) {
        int axis = resized[i];
        if (!(s[i] > 0)) throw new IllegalArgumentException("scales must be positive, got " + Arrays.toString(s));
        factors[axis] = s[i];
        // The spec's formula also multiplies by the roi's extent, but the ONNX reference implementation (which
        // made the conformance data) and onnxruntime both leave it out; so do we.
        widths[axis] = inShape[axis] * (double) s[i];
        outShape[axis] = (int) Math.floor(widths[axis]);
      }
    } else {
      long[] z = values(sizes, resized.length, "sizes").toLongs();
      for (long v : z) if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException("bad sizes " + Arrays.toString(z));
      if (aspectPolicy == AspectPolicy.STRETCH) {
        for (int i = 0; i < resized.length; i++) {
          int axis = resized[i];
          factors[axis] = (double) z[i] / inShape[axis];
          widths[axis] = z[i];
          outShape[axis] = (int) z[i];
        }
      } else {
        // One scale for all resized axes, the largest that fits in the sizes or the smallest that covers them.
        double common = aspectPolicy == AspectPolicy.NOT_LARGER ? Double.POSITIVE_INFINITY : 0;
        for (int i = 0; i < resized.length; i++) {
          double f = (double) z[i] / inShape[resized[i]];
          common = aspectPolicy == AspectPolicy.NOT_LARGER ? Math.min(common, f) : Math.max(common, f);
        }
        for (int axis : resized) {
          factors[axis] = common;
          widths[axis] = common * inShape[axis];
          outShape[axis] = (int) (widths[axis] + 0.5);
        }
      }
    }
    return resampling.plan(inShape, outShape, widths, factors, roi);
  }

  private int[] resizedAxes(int rank) {
    if (axes == null) {
      int[] all = new int[rank];
      for (int i = 0; i < rank; i++) all[i] = i;
      return all;
    }
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      out[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (out[i] < 0 || out[i] >= rank) throw new IllegalArgumentException("axis " + axes[i] + " is out of range for rank " + rank);
    }
    return out;
  }

  /** The roi as start of every axis, then end of every axis (0 and 1 for axes not resized). */
  private static double[] roi(Tensor roi, int[] resized, int rank) {
    if (roi == null) throw new IllegalArgumentException("coordinate_transformation_mode tf_crop_and_resize needs a roi");
    float[] r = values(roi, 2 * resized.length, "roi").toFloats();
    double[] out = new double[2 * rank];
    for (int i = 0; i < rank; i++) out[rank + i] = 1;
    for (int i = 0; i < resized.length; i++) {
      out[resized[i]] = r[i];
      out[rank + resized[i]] = r[resized.length + i];
    }
    return out;
  }

  private static Tensor values(Tensor t, int expected, String what) {
    if (t.size() != expected) {
      throw new IllegalArgumentException(what + " has " + t.size() + " values, expected " + expected);
    }
    return t;
  }

  /** Optional input i, treating an empty tensor (the way opset 11 leaves scales out) as absent. */
  private static Tensor present(Tensor[] inputs, int i) {
    return i < inputs.length && inputs[i] != null && inputs[i].size() > 0 ? inputs[i] : null;
  }
}
