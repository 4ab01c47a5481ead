package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.tensor.Tensor;

/**
 * Direct, naive convolution and transposed convolution with double accumulation, written from the ONNX
 * definitions and independent of the engine. Spatial ranks 1 and 2 are computed as rank 3 with leading
 * unit axes.
 */
public final class ConvReference {
  private ConvReference() {}

  /** Convolution with explicit pads; the output size follows ONNX's formula for explicit padding. */
  public static Tensor conv(Tensor x, Tensor w, Tensor bias, int group, int[] strides, int[] dilations, int[] padBegin,
      int[] padEnd) {
    int rank = x.rank() - 2;
    int[] in = lift(spatial(x), 1);
    int[] k = lift(spatial(w), 1);
    int[] s = lift(strides, 1);
    int[] d = lift(dilations, 1);
    int[] pb = lift(padBegin, 0);
    int[] pe = lift(padEnd, 0);
    int batch = x.dim(0);
    int channels = x.dim(1);
    int outChannels = w.dim(0);
    int cPerGroup = channels / group;
    int mPerGroup = outChannels / group;
    int[] out = new int[3];
    for (int a = 0; a < 3; a++) out[a] = Math.floorDiv(in[a] + pb[a] + pe[a] - ((k[a] - 1) * d[a] + 1), s[a]) + 1;
    float[] xv = x.data();
    float[] wv = w.data();
    float[] y = new float[batch * outChannels * out[0] * out[1] * out[2]];
    int yi = 0;
    for (int n = 0; n < batch; n++) {
      for (int m = 0; m < outChannels; m++) {
        int g = m / mPerGroup;
        for (int o0 = 0; o0 < out[0]; o0++) {
          for (int o1 = 0; o1 < out[1]; o1++) {
            for (int o2 = 0; o2 < out[2]; o2++) {
              double sum = bias == null ? 0 : bias.data()[m];
              for (int cg = 0; cg < cPerGroup; cg++) {
                int c = g * cPerGroup + cg;
                for (int k0 = 0; k0 < k[0]; k0++) {
                  int i0 = o0 * s[0] - pb[0] + k0 * d[0];
                  if (i0 < 0 || i0 >= in[0]) continue;
                  for (int k1 = 0; k1 < k[1]; k1++) {
                    int i1 = o1 * s[1] - pb[1] + k1 * d[1];
                    if (i1 < 0 || i1 >= in[1]) continue;
                    for (int k2 = 0; k2 < k[2]; k2++) {
                      int i2 = o2 * s[2] - pb[2] + k2 * d[2];
                      if (i2 < 0 || i2 >= in[2]) continue;
                      double xval = xv[(((n * channels + c) * in[0] + i0) * in[1] + i1) * in[2] + i2];
                      double wval = wv[(((m * cPerGroup + cg) * k[0] + k0) * k[1] + k1) * k[2] + k2];
                      sum += xval * wval;
                    }
                  }
                }
              }
              y[yi++] = (float) sum;
            }
          }
        }
      }
    }
    return Tensor.of(y, shape(batch, outChannels, out, rank));
  }

  /**
   * Transposed convolution producing an output of spatial size {@code out}: each input value scattered
   * through the kernel to position i * stride - padBegin + k * dilation, where that lies inside the output.
   */
  static Tensor convTranspose(Tensor x, Tensor w, Tensor bias, int group, int[] strides, int[] dilations,
      int[] padBegin, int[] outSize) {
    int rank = x.rank() - 2;
    int[] in = lift(spatial(x), 1);
    int[] k = lift(spatial(w), 1);
    int[] s = lift(strides, 1);
    int[] d = lift(dilations, 1);
    int[] pb = lift(padBegin, 0);
    int[] out = lift(outSize, 1);
    int batch = x.dim(0);
    int channels = x.dim(1);
    int cPerGroup = channels / group;
    int mPerGroup = w.dim(1);
    int outChannels = mPerGroup * group;
    int plane = out[0] * out[1] * out[2];
    double[] acc = new double[batch * outChannels * plane];
    float[] xv = x.data();
    float[] wv = w.data();
    for (int n = 0; n < batch; n++) {
      for (int c = 0; c < channels; c++) {
        int g = c / cPerGroup;
        for (int mg = 0; mg < mPerGroup; mg++) {
          int m = g * mPerGroup + mg;
          for (int i0 = 0; i0 < in[0]; i0++) {
            for (int i1 = 0; i1 < in[1]; i1++) {
              for (int i2 = 0; i2 < in[2]; i2++) {
                double xval = xv[(((n * channels + c) * in[0] + i0) * in[1] + i1) * in[2] + i2];
                for (int k0 = 0; k0 < k[0]; k0++) {
                  int o0 = i0 * s[0] - pb[0] + k0 * d[0];
                  if (o0 < 0 || o0 >= out[0]) continue;
                  for (int k1 = 0; k1 < k[1]; k1++) {
                    int o1 = i1 * s[1] - pb[1] + k1 * d[1];
                    if (o1 < 0 || o1 >= out[1]) continue;
                    for (int k2 = 0; k2 < k[2]; k2++) {
                      int o2 = i2 * s[2] - pb[2] + k2 * d[2];
                      if (o2 < 0 || o2 >= out[2]) continue;
                      double wval = wv[(((c * mPerGroup + mg) * k[0] + k0) * k[1] + k1) * k[2] + k2];
                      acc[(n * outChannels + m) * plane + (o0 * out[1] + o1) * out[2] + o2] += xval * wval;
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    float[] y = new float[acc.length];
    for (int i = 0; i < y.length; i++) {
      int m = (i / plane) % outChannels;
      y[i] = (float) (acc[i] + (bias == null ? 0 : bias.data()[m]));
    }
    return Tensor.of(y, shape(batch, outChannels, out, rank));
  }

  private static int[] spatial(Tensor t) {
    return Arrays.copyOfRange(t.shape(), 2, t.rank());
  }

  /** Pads a spatial array to rank 3 with leading {@code fill} values. */
  private static int[] lift(int[] v, int fill) {
    int[] out = new int[3];
    Arrays.fill(out, fill);
    System.arraycopy(v, 0, out, 3 - v.length, v.length);
    return out;
  }

  private static int[] shape(int batch, int channels, int[] out3, int rank) {
    int[] shape = new int[2 + rank];
    shape[0] = batch;
    shape[1] = channels;
    System.arraycopy(out3, 3 - rank, shape, 2, rank);
    return shape;
  }
}
