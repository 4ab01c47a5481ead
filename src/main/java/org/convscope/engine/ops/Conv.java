package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.OpSpec;
import org.convscope.engine.dnnl.ConvGeometry;
import org.convscope.tensor.Tensor;

/**
 * ONNX Conv: X (N, C, spatial...) with W (M, C/group, kernel...) and optional B (M), for 1 to 3 spatial
 * axes, with groups (depthwise included), strides, dilations, explicit or automatic pads.
 */
public final class Conv extends ConvolutionOp {

  public Conv(OpSpec spec) {
    super(new ConvAttributes(spec));
  }

  @Override
  Resolved resolve(int[] x, Tensor w) {
    checkInputs(x, w);
    int rank = x.length - 2;
    int channels = x[1];
    int outChannels = w.dim(0);
    int group = attributes.group;
    if (w.dim(1) * group != channels) {
      throw new IllegalArgumentException(attributes.node + ": input has " + channels + " channels but W "
          + Arrays.toString(w.shape()) + " in " + group + " group(s) expects " + w.dim(1) * group);
    }
    if (outChannels % group != 0) {
      throw new IllegalArgumentException(attributes.node + ": " + outChannels + " output channels do not divide into "
          + group + " groups");
    }
    int[] in = Arrays.copyOfRange(x, 2, x.length);
    int[] kernel = spatial(w);
    attributes.checkAgainst(rank, kernel);
    int[] strides = attributes.strides(rank);
    int[] dilations = attributes.dilations(rank);
    int[] padBegin = attributes.padBegin(rank);
    int[] padEnd = attributes.padEnd(rank);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int extent = ConvAttributes.extent(kernel[i], dilations[i]);
      switch (attributes.autoPad) {
        case SAME_UPPER, SAME_LOWER -> {
          out[i] = -Math.floorDiv(-in[i], strides[i]);
          int total = Math.max(0, (out[i] - 1) * strides[i] + extent - in[i]);
          int smaller = total / 2;
          padBegin[i] = attributes.autoPad == ConvAttributes.AutoPad.SAME_UPPER ? smaller : total - smaller;
          padEnd[i] = total - padBegin[i];
        }
        case NOTSET, VALID -> out[i] = Math.floorDiv(in[i] + padBegin[i] + padEnd[i] - extent, strides[i]) + 1;
      }
      if (out[i] < 1) {
        throw new InvalidInputException(attributes.node + ": spatial size " + in[i] + " (padded by " + padBegin[i]
            + "+" + padEnd[i] + ") is smaller than the kernel's extent " + extent);
      }
    }
    return Resolved.exact(new ConvGeometry(false, x[0], channels, outChannels, group, in, out, kernel, strides,
        dilations, padBegin, padEnd));
  }
}
