package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.tensor.Tensor;

/**
 * Output positions around what oneDNN computed, for a transposed convolution whose output_shape reaches past
 * the kernel on either side: adding them (holding the bias) after the forward pass, and cutting their
 * gradient off before the backward pass. Shapes are (N, C, spatial...) with 1 to 3 spatial axes.
 */
final class OutputMargins {
  private OutputMargins() {}

  /** {@code computed} placed at {@code offset} inside a tensor of {@code shape} that otherwise holds the bias. */
  static Tensor embed(Tensor computed, int[] offset, int[] shape, Tensor bias) {
    Tensor out = Tensor.zeros(shape);
    if (bias != null) {
      int planes = shape[0] * shape[1];
      int plane = out.size() / Math.max(1, planes);
      for (int p = 0; p < planes; p++) Arrays.fill(out.data(), p * plane, (p + 1) * plane, bias.data()[p % shape[1]]);
    }
    copy(computed.data(), computed.shape(), out.data(), shape, offset, true);
    return out;
  }

  /** The block of {@code full} at {@code offset} with the dims oneDNN computed. */
  static Tensor crop(Tensor full, int[] offset, long[] computedDims) {
    int[] computed = new int[computedDims.length];
    for (int i = 0; i < computed.length; i++) computed[i] = Math.toIntExact(computedDims[i]);
    Tensor out = Tensor.zeros(computed);
    copy(out.data(), computed, full.data(), full.shape(), offset, false);
    return out;
  }

  /** Copies between the smaller block and the part of the larger one at {@code offset}, row by row. */
  private static void copy(float[] small, int[] smallShape, float[] large, int[] largeShape, int[] offset,
      boolean intoLarge) {
    int[] s = lift(smallShape);
    int[] l = lift(largeShape);
    int[] o = new int[3];
    System.arraycopy(offset, 0, o, 3 - offset.length, offset.length);
    int planes = smallShape[0] * smallShape[1];
    for (int p = 0; p < planes; p++) {
      for (int d = 0; d < s[0]; d++) {
        for (int h = 0; h < s[1]; h++) {
          int from = ((p * s[0] + d) * s[1] + h) * s[2];
          int to = ((p * l[0] + d + o[0]) * l[1] + h + o[1]) * l[2] + o[2];
          if (intoLarge) {
            System.arraycopy(small, from, large, to, s[2]);
          } else {
            System.arraycopy(large, to, small, from, s[2]);
          }
        }
      }
    }
  }

  /** The spatial sizes of an (N, C, spatial...) shape as depth, height, width (missing axes are 1). */
  private static int[] lift(int[] shape) {
    int[] out = {1, 1, 1};
    System.arraycopy(shape, 2, out, 5 - shape.length, shape.length - 2);
    return out;
  }
}
