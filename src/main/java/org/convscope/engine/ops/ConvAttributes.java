package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Attributes;
import org.convscope.engine.OpSpec;

/**
 * The attributes Conv and ConvTranspose share, checked when the model loads. Spatial attributes that are
 * absent take their defaults once the input's rank is known.
 */
final class ConvAttributes {
  /** How ONNX's {@code auto_pad} chooses the pads. */
  enum AutoPad { NOTSET, SAME_UPPER, SAME_LOWER, VALID }

  final String node;
  final AutoPad autoPad;
  final int group;
  private final int[] kernelShape;
  private final int[] strides;
  private final int[] dilations;
  private final int[] pads;

  ConvAttributes(OpSpec spec) {
    Attributes a = spec.attributes();
    node = spec.opType() + " node '" + spec.nodeName() + "'";
    String pad = a.getString("auto_pad", "NOTSET");
    try {
      autoPad = AutoPad.valueOf(pad);
    } catch (IllegalArgumentException e) {
      throw spec.invalid("auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, not '" + pad + "'");
    }
    group = Math.toIntExact(a.getInt("group", 1));
    if (group < 1) throw spec.invalid("group must be at least 1, not " + group);
    kernelShape = positive(spec, "kernel_shape");
    strides = positive(spec, "strides");
    dilations = positive(spec, "dilations");
    pads = a.getIntArray("pads", null);
    if (pads != null) {
      for (int p : pads) if (p < 0) throw spec.invalid("pads must not be negative: " + Arrays.toString(pads));
      if (pads.length % 2 != 0) throw spec.invalid("pads needs a begin and an end per axis: " + Arrays.toString(pads));
    }
    int rank = -1;
    int padAxes = pads == null ? -1 : pads.length / 2;
    for (int axes : new int[] {length(kernelShape), length(strides), length(dilations), padAxes}) {
      if (axes < 0) continue;
      if (rank >= 0 && axes != rank) throw spec.invalid("spatial attributes disagree on the number of axes: " + a);
      rank = axes;
    }
    if (rank == 0 || rank > 3) throw spec.invalid("only 1 to 3 spatial axes are supported, not " + rank);
  }

  private static int length(int[] v) {
    return v == null ? -1 : v.length;
  }

  /** A spatial attribute whose values must all be positive; null when absent. */
  static int[] positive(OpSpec spec, String name) {
    int[] v = spec.attributes().getIntArray(name, null);
    if (v != null) {
      for (int x : v) if (x < 1) throw spec.invalid(name + " must be positive: " + Arrays.toString(v));
    }
    return v;
  }

  /** Checks that the attributes fit an input with {@code rank} spatial axes and weights of this kernel size. */
  void checkAgainst(int rank, int[] kernel) {
    for (int[] v : new int[][] {kernelShape, strides, dilations}) {
      if (v != null && v.length != rank) {
        throw new IllegalArgumentException(node + ": attributes are for " + v.length + " spatial axes, the input has "
            + rank);
      }
    }
    if (pads != null && pads.length != 2 * rank) {
      throw new IllegalArgumentException(
          node + ": pads " + Arrays.toString(pads) + " do not fit " + rank + " spatial axes");
    }
    if (kernelShape != null && !Arrays.equals(kernelShape, kernel)) {
      throw new IllegalArgumentException(node + ": kernel_shape " + Arrays.toString(kernelShape)
          + " disagrees with the weights' kernel " + Arrays.toString(kernel));
    }
  }

  int[] strides(int rank) {
    return strides != null ? strides : ones(rank);
  }

  int[] dilations(int rank) {
    return dilations != null ? dilations : ones(rank);
  }

  /** Explicit pads; ignored (zero) under an auto_pad mode, which computes its own. */
  int[] padBegin(int rank) {
    return pads != null && autoPad == AutoPad.NOTSET ? Arrays.copyOfRange(pads, 0, rank) : new int[rank];
  }

  int[] padEnd(int rank) {
    return pads != null && autoPad == AutoPad.NOTSET ? Arrays.copyOfRange(pads, rank, 2 * rank) : new int[rank];
  }

  /** The span of a dilated kernel. */
  static int extent(int kernel, int dilation) {
    return (kernel - 1) * dilation + 1;
  }

  private static int[] ones(int rank) {
    int[] v = new int[rank];
    Arrays.fill(v, 1);
    return v;
  }
}
