package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.OpSpec;
import org.convscope.engine.dnnl.ConvGeometry;
import org.convscope.tensor.Tensor;

/**
 * ONNX ConvTranspose: X (N, C, spatial...) with W (C, M/group, kernel...) and optional B (M), for 1 to 3
 * spatial axes, with groups, strides, dilations, pads, output_padding, and output_shape or auto_pad
 * choosing the pads.
 */
public final class ConvTranspose extends ConvolutionOp {
  private final int[] outputPadding;
  private final int[] outputShape;

  public ConvTranspose(OpSpec spec) {
    super(new ConvAttributes(spec));
    outputPadding = spec.attributes().getIntArray("output_padding", null);
    if (outputPadding != null) {
      for (int p : outputPadding) {
        if (p < 0) throw spec.invalid("output_padding must not be negative: " + Arrays.toString(outputPadding));
      }
    }
    outputShape = ConvAttributes.positive(spec, "output_shape");
  }

  @Override
  Resolved resolve(int[] x, Tensor w) {
    checkInputs(x, w);
    int rank = x.length - 2;
    int channels = x[1];
    int group = attributes.group;
    if (w.dim(0) != channels || channels % group != 0) {
      throw new IllegalArgumentException(attributes.node + ": input has " + channels + " channels but W "
          + Arrays.toString(w.shape()) + " expects " + w.dim(0) + " in " + group + " group(s)");
    }
    int outChannels = w.dim(1) * group;
    int[] in = Arrays.copyOfRange(x, 2, x.length);
    int[] kernel = spatial(w);
    attributes.checkAgainst(rank, kernel);
    int[] strides = attributes.strides(rank);
    int[] dilations = attributes.dilations(rank);
    int[] extraEnd = outputPadding != null ? fit("output_padding", outputPadding, rank) : new int[rank];
    int[] requested = outputShape != null ? fit("output_shape", outputShape, rank) : null;
    boolean same = attributes.autoPad == ConvAttributes.AutoPad.SAME_UPPER
        || attributes.autoPad == ConvAttributes.AutoPad.SAME_LOWER;
    int[] padBegin = attributes.padBegin(rank);
    int[] padEnd = attributes.padEnd(rank);
    int[] out = new int[rank];
    int[] computed = new int[rank];
    int[] offset = new int[rank];
    boolean margins = false;
    for (int i = 0; i < rank; i++) {
      int full = strides[i] * (in[i] - 1) + extraEnd[i] + ConvAttributes.extent(kernel[i], dilations[i]);
      if (requested != null || same) {
        // ONNX derives the pads from the output size; an odd total puts the extra pad at the end for
        // SAME_UPPER, at the beginning otherwise. A negative total (a larger output) becomes negative pads.
        out[i] = requested != null ? requested[i] : in[i] * strides[i];
        int total = full - out[i];
        int half = Math.floorDiv(total, 2);
        padBegin[i] = attributes.autoPad == ConvAttributes.AutoPad.SAME_UPPER ? half : total - half;
        padEnd[i] = total - padBegin[i];
      } else {
        out[i] = full - padBegin[i] - padEnd[i];
      }
      if (out[i] < 1) {
        throw new InvalidInputException(attributes.node + ": pads " + padBegin[i] + "+" + padEnd[i]
            + " leave no output from spatial size " + in[i]);
      }
      // oneDNN takes no negative leading pad, and a trailing one only above 1 - stride: positions beyond
      // those are outside the kernel's reach and are added around oneDNN's output.
      offset[i] = Math.max(0, -padBegin[i]);
      int trailing = Math.max(0, 1 - strides[i] - padEnd[i]);
      padBegin[i] += offset[i];
      padEnd[i] += trailing;
      computed[i] = out[i] - offset[i] - trailing;
      margins |= computed[i] != out[i];
    }
    ConvGeometry g = new ConvGeometry(true, x[0], channels, outChannels, group, in, computed, kernel, strides,
        dilations, padBegin, padEnd);
    if (!margins) return Resolved.exact(g);
    int[] shape = new int[rank + 2];
    shape[0] = x[0];
    shape[1] = outChannels;
    System.arraycopy(out, 0, shape, 2, rank);
    return new Resolved(g, offset, shape);
  }

  /** output_padding and output_shape give one value per spatial axis; output_shape may also list N and C. */
  private int[] fit(String name, int[] values, int rank) {
    if (values.length == rank) return values;
    if (name.equals("output_shape") && values.length == rank + 2) return Arrays.copyOfRange(values, 2, rank + 2);
    throw new IllegalArgumentException(attributes.node + ": " + name + " " + Arrays.toString(values) + " does not fit "
        + rank + " spatial axes");
  }
}
