package org.convscope.engine.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * The sampling behind Resize and Upsample. Every interpolation ONNX defines is separable, so an N-D resize is
 * a 1-D resize along each resized axis in turn. Along one axis, each output position reads a few input
 * positions with fixed weights (its taps); the forward pass gathers through the taps and the backward pass is
 * its transpose, scattering the gradient back through the same taps.
 */
final class Resampling {

  enum Interpolation { NEAREST, LINEAR, CUBIC }

  /** How an output coordinate maps to an input coordinate (ONNX coordinate_transformation_mode). */
  enum Coordinates {
    HALF_PIXEL, HALF_PIXEL_SYMMETRIC, PYTORCH_HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC, TF_HALF_PIXEL_FOR_NN,
    TF_CROP_AND_RESIZE
  }

  /**
   * How nearest interpolation rounds a fractional input coordinate (ONNX nearest_mode). LEGACY is
   * Upsample's and Resize-10's, as onnxruntime runs them: floor when upsampling, ceil when downsampling.
   */
  enum Rounding {
    ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL, LEGACY;

    /** The values of the nearest_mode attribute. */
    static final Rounding[] NEAREST_MODES = {ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL};
  }

  private final Interpolation interpolation;
  private final Coordinates coordinates;
  private final Rounding rounding;
  private final double cubicA;
  private final boolean excludeOutside;
  private final float extrapolationValue;

  Resampling(Interpolation interpolation, Coordinates coordinates, Rounding rounding, double cubicA,
      boolean excludeOutside, float extrapolationValue) {
    this.interpolation = interpolation;
    this.coordinates = coordinates;
    this.rounding = rounding;
    this.cubicA = cubicA;
    this.excludeOutside = excludeOutside;
    this.extrapolationValue = extrapolationValue;
  }

  /** Upsample's and Resize-10's sampling: asymmetric coordinates, mode "nearest" or "linear". */
  static Resampling legacy(OpSpec spec) {
    String mode = spec.attributes().getString("mode", "nearest");
    Interpolation interpolation = switch (mode) {
      case "nearest" -> Interpolation.NEAREST;
      case "linear" -> Interpolation.LINEAR;
      default -> throw spec.invalid("mode must be 'nearest' or 'linear', not '" + mode + "'");
    };
    return new Resampling(interpolation, Coordinates.ASYMMETRIC, Rounding.LEGACY, -0.75, false, 0f);
  }

  /** Reads a string attribute naming one of {@code choices} in lower case ("round_prefer_floor"). */
  static <E extends Enum<E>> E parse(OpSpec spec, String attribute, String fallback, E[] choices) {
    String value = spec.attributes().getString(attribute, fallback);
    for (E choice : choices) {
      if (choice.name().toLowerCase(Locale.ROOT).equals(value)) return choice;
    }
    throw spec.invalid(attribute + " '" + value + "' is not one of "
        + Arrays.toString(choices).toLowerCase(Locale.ROOT));
  }

  boolean cropsToRoi() {
    return coordinates == Coordinates.TF_CROP_AND_RESIZE;
  }

  /**
   * The per-axis resampling from {@code inShape} to {@code outShape}. Axes whose sampling is the identity are
   * left out.
   *
   * @param widths the output length of each axis before flooring ("output_width" in the ONNX reference),
   *     which align_corners and tf_crop_and_resize use
   * @param scales output over input length per axis, as given or derived from the sizes
   * @param roi start of every axis then end of every axis, for tf_crop_and_resize; null otherwise
   */
  List<AxisTaps> plan(int[] inShape, int[] outShape, double[] widths, double[] scales, double[] roi) {
    List<AxisTaps> plan = new ArrayList<>();
    int rank = inShape.length;
    // The last axis first: its rows are contiguous, and the other passes then move whole rows.
    for (int axis = rank - 1; axis >= 0; axis--) {
      if (inShape[axis] == 0 && outShape[axis] > 0) {
        throw new IllegalArgumentException("cannot resize an empty axis " + axis + " to length " + outShape[axis]);
      }
      // An axis kept at scale 1 stays as it is. Only tf_half_pixel_for_nn would otherwise shift it by half a
      // pixel, which onnxruntime does not do either (the batch and channel axes, typically).
      if (outShape[axis] == inShape[axis] && scales[axis] == 1 && roi == null) continue;
      AxisTaps taps = roi == null
          ? taps(axis, inShape[axis], outShape[axis], widths[axis], scales[axis], 0, 1)
          : taps(axis, inShape[axis], outShape[axis], widths[axis], scales[axis], roi[axis], roi[rank + axis]);
      if (!taps.isIdentity()) plan.add(taps);
    }
    return plan;
  }

  /** Resamples {@code x} through the plan's axes in order. */
  Tensor apply(Tensor x, List<AxisTaps> plan) {
    int[] shape = x.shape();
    float[] data = x.data();
    for (AxisTaps taps : plan) {
      int outer = 1;
      for (int i = 0; i < taps.axis(); i++) outer *= shape[i];
      int inner = 1;
      for (int i = taps.axis() + 1; i < shape.length; i++) inner *= shape[i];
      data = taps.gather(data, outer, inner, extrapolationValue);
      shape[taps.axis()] = taps.outLength();
    }
    return Tensor.of(data == x.data() ? data.clone() : data, shape);
  }

  /** The transpose of {@link #apply}: takes the gradient of the output to the gradient of the input. */
  Tensor applyTranspose(Tensor grad, int[] inShape, List<AxisTaps> plan) {
    int[] shape = grad.shape();
    float[] data = grad.data();
    for (int k = plan.size() - 1; k >= 0; k--) {
      AxisTaps taps = plan.get(k);
      int outer = 1;
      for (int i = 0; i < taps.axis(); i++) outer *= shape[i];
      int inner = 1;
      for (int i = taps.axis() + 1; i < shape.length; i++) inner *= shape[i];
      data = taps.scatter(data, outer, inner);
      shape[taps.axis()] = taps.inLength();
    }
    if (!Arrays.equals(shape, inShape)) throw new IllegalStateException("resize gradient has the wrong shape");
    return Tensor.of(data == grad.data() ? data.clone() : data, shape);
  }

  /** The taps of one axis. */
  private AxisTaps taps(int axis, int in, int out, double width, double scale, double roiStart, double roiEnd) {
    int[] offsets = new int[out + 1];
    int[] indices = new int[4 * out];
    float[] weights = new float[4 * out];
    boolean[] extrapolated = new boolean[out];
    double[] w = new double[4];
    int[] at = new int[4];
    int count = 0;
    for (int o = 0; o < out; o++) {
      offsets[o] = count;
      double x = sourceCoordinate(o, in, out, width, scale, roiStart, roiEnd);
      if (coordinates == Coordinates.TF_CROP_AND_RESIZE && (x < 0 || x > in - 1)) {
        extrapolated[o] = true;
        continue;
      }
      int n = neighbours(x, in, scale, at, w);
      for (int t = 0; t < n; t++) {
        if (w[t] == 0) continue;
        indices[count] = Math.max(0, Math.min(in - 1, at[t]));
        weights[count] = (float) w[t];
        count++;
      }
    }
    offsets[out] = count;
    return new AxisTaps(axis, in, out, offsets, Arrays.copyOf(indices, count), Arrays.copyOf(weights, count),
        extrapolated);
  }

  /** The input coordinate that output position {@code o} samples. */
  private double sourceCoordinate(int o, int in, int out, double width, double scale, double roiStart,
      double roiEnd) {
    return switch (coordinates) {
      case HALF_PIXEL -> (o + 0.5) / scale - 0.5;
      case HALF_PIXEL_SYMMETRIC -> in / 2.0 * (1 - out / width) + (o + 0.5) / scale - 0.5;
      case PYTORCH_HALF_PIXEL -> width > 1 ? (o + 0.5) / scale - 0.5 : 0;
      case ALIGN_CORNERS -> width == 1 ? 0 : o * (in - 1) / (width - 1);
      case ASYMMETRIC -> o / scale;
      case TF_HALF_PIXEL_FOR_NN -> (o + 0.5) / scale;
      case TF_CROP_AND_RESIZE -> width > 1
          ? roiStart * (in - 1) + o * (roiEnd - roiStart) * (in - 1) / (width - 1)
          : 0.5 * (roiStart + roiEnd) * (in - 1);
    };
  }

  /**
   * Fills the input positions (possibly outside the input, clamped later) and weights that sample coordinate
   * {@code x}, and returns how many there are.
   */
  private int neighbours(double x, int in, double scale, int[] at, double[] w) {
    int floor = (int) Math.floor(x);
    double frac = x - floor;
    switch (interpolation) {
      case NEAREST -> {
        at[0] = frac == 0 || !roundsUp(frac, scale) ? floor : floor + 1;
        w[0] = 1;
        return 1;
      }
      case LINEAR -> {
        at[0] = floor;
        at[1] = floor + 1;
        w[0] = 1 - frac;
        w[1] = frac;
        return 2;
      }
      default -> {
        double a = cubicA;
        for (int t = 0; t < 4; t++) {
          at[t] = floor - 1 + t;
          w[t] = cubicKernel(Math.abs(frac - (t - 1)), a);
        }
        if (excludeOutside) {
          double sum = 0;
          for (int t = 0; t < 4; t++) {
            if (at[t] < 0 || at[t] >= in) w[t] = 0;
            sum += w[t];
          }
          if (sum != 0) for (int t = 0; t < 4; t++) w[t] /= sum;
        }
        return 4;
      }
    }
  }

  /** Whether nearest interpolation takes the upper neighbour of a coordinate with fractional part frac. */
  private boolean roundsUp(double frac, double scale) {
    return switch (rounding) {
      case ROUND_PREFER_FLOOR -> frac > 0.5;
      case ROUND_PREFER_CEIL -> frac >= 0.5;
      case FLOOR -> false;
      case CEIL -> true;
      case LEGACY -> scale < 1;
    };
  }

  /** Keys' cubic convolution kernel with parameter a, at distance d (Keys 1981, equation 4). */
  private static double cubicKernel(double d, double a) {
    if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
    if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
    return 0;
  }

  /**
   * The taps of one axis: output position o reads input positions {@code indices[offsets[o] .. offsets[o+1])}
   * with the matching weights, or is the extrapolation value when {@code extrapolated[o]}.
   */
  record AxisTaps(int axis, int inLength, int outLength, int[] offsets, int[] indices, float[] weights,
      boolean[] extrapolated) {

    boolean isIdentity() {
      if (inLength != outLength) return false;
      for (int o = 0; o < outLength; o++) {
        if (extrapolated[o] || offsets[o + 1] - offsets[o] != 1) return false;
        if (indices[offsets[o]] != o || weights[offsets[o]] != 1f) return false;
      }
      return true;
    }

    /** Resamples rows laid out as [outer, inLength, inner] to [outer, outLength, inner]. */
    float[] gather(float[] in, int outer, int inner, float extrapolationValue) {
      float[] out = new float[outer * outLength * inner];
      Planes.forEach(outer, (long) outer * (inLength + outLength) * inner, b -> {
        int inBase = b * inLength * inner;
        for (int o = 0; o < outLength; o++) {
          int row = (b * outLength + o) * inner;
          if (extrapolated[o]) {
            Arrays.fill(out, row, row + inner, extrapolationValue);
            continue;
          }
          for (int t = offsets[o]; t < offsets[o + 1]; t++) {
            float w = weights[t];
            int src = inBase + indices[t] * inner;
            for (int k = 0; k < inner; k++) out[row + k] += w * in[src + k];
          }
        }
      });
      return out;
    }

    /** The transpose of {@link #gather}: [outer, outLength, inner] gradients to [outer, inLength, inner]. */
    float[] scatter(float[] grad, int outer, int inner) {
      float[] out = new float[outer * inLength * inner];
      Planes.forEach(outer, (long) outer * (inLength + outLength) * inner, b -> {
        int outBase = b * inLength * inner;
        for (int o = 0; o < outLength; o++) {
          int row = (b * outLength + o) * inner;
          for (int t = offsets[o]; t < offsets[o + 1]; t++) {
            float w = weights[t];
            int dst = outBase + indices[t] * inner;
            for (int k = 0; k < inner; k++) out[dst + k] += w * grad[row + k];
          }
        }
      });
      return out;
    }
  }
}
