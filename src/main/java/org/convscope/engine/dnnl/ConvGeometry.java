package org.convscope.engine.dnnl;

import java.util.Arrays;

/**
 * The shape of one convolution or transposed convolution, with every size resolved: what oneDNN needs to
 * build a primitive, and the key under which it is cached. "In" and "out" refer to the op's own input and
 * output, for both kinds. Dilations are ONNX's (1 = dense); pads may be negative only at the end of a
 * transposed convolution (an output larger than the kernel reaches).
 */
public record ConvGeometry(boolean transposed, int batch, int inChannels, int outChannels, int groups,
    int[] inSize, int[] outSize, int[] kernel, int[] strides, int[] dilations, int[] padBegin, int[] padEnd) {

  public ConvGeometry {
    int rank = inSize.length;
    if (rank < 1 || rank > 3) throw new IllegalArgumentException("1 to 3 spatial dimensions, not " + rank);
    for (int[] a : new int[][] {outSize, kernel, strides, dilations, padBegin, padEnd}) {
      if (a.length != rank) throw new IllegalArgumentException("spatial sizes of different lengths");
    }
    if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException(inChannels + " and " + outChannels + " channels in " + groups + " groups");
    }
    inSize = inSize.clone();
    outSize = outSize.clone();
    kernel = kernel.clone();
    strides = strides.clone();
    dilations = dilations.clone();
    padBegin = padBegin.clone();
    padEnd = padEnd.clone();
  }

  public int spatialRank() {
    return inSize.length;
  }

  /** Source dims: batch, channels, spatial. */
  public long[] srcDims() {
    return activationDims(inChannels, inSize);
  }

  public long[] dstDims() {
    return activationDims(outChannels, outSize);
  }

  /**
   * Weight dims as oneDNN orders them for both kinds: output channels, input channels, kernel; with a
   * leading group dimension when there are several groups.
   */
  public long[] weightsDims() {
    int g = groups > 1 ? 1 : 0;
    long[] dims = new long[g + 2 + kernel.length];
    if (g == 1) dims[0] = groups;
    dims[g] = outChannels / groups;
    dims[g + 1] = inChannels / groups;
    for (int i = 0; i < kernel.length; i++) dims[g + 2 + i] = kernel[i];
    return dims;
  }

  /**
   * Strides that place {@link #weightsDims()} where ONNX's row-major weights hold them: Conv's W is
   * (out, in/groups, kernel), so plain row-major; ConvTranspose's W is (in, out/groups, kernel), so the
   * output- and input-channel axes are swapped within each group.
   */
  public long[] weightsStrides() {
    long[] dims = weightsDims();
    long[] strides = MemoryDesc.rowMajorStrides(dims);
    if (transposed) {
      int g = groups > 1 ? 1 : 0;
      long kernelSize = strides[g + 1];
      strides[g] = kernelSize;
      strides[g + 1] = kernelSize * dims[g];
    }
    return strides;
  }

  public long[] biasDims() {
    return new long[] {outChannels};
  }

  /** Multiply-adds of one pass (forward or backward-data), a measure of its work. */
  /** The same convolution over {@code n} items. */
  public ConvGeometry withBatch(int n) {
    return new ConvGeometry(transposed, n, inChannels, outChannels, groups, inSize, outSize, kernel, strides,
        dilations, padBegin, padEnd);
  }

  public long multiplyAdds() {
    long n = (long) batch * outChannels * (inChannels / groups);
    for (int s : outSize) n *= s;
    for (int k : kernel) n *= k;
    return n;
  }

  long[] dnnlStrides() {
    return toLongs(strides, 0);
  }

  /** oneDNN counts dilation as the gap between kernel taps: 0 is dense. */
  long[] dnnlDilations() {
    return toLongs(dilations, -1);
  }

  long[] dnnlPadBegin() {
    return toLongs(padBegin, 0);
  }

  long[] dnnlPadEnd() {
    return toLongs(padEnd, 0);
  }

  private long[] activationDims(int channels, int[] size) {
    long[] dims = new long[2 + size.length];
    dims[0] = batch;
    dims[1] = channels;
    for (int i = 0; i < size.length; i++) dims[2 + i] = size[i];
    return dims;
  }

  private static long[] toLongs(int[] values, int offset) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) out[i] = values[i] + offset;
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvGeometry g && transposed == g.transposed && batch == g.batch
        && inChannels == g.inChannels && outChannels == g.outChannels && groups == g.groups
        && Arrays.equals(inSize, g.inSize) && Arrays.equals(outSize, g.outSize) && Arrays.equals(kernel, g.kernel)
        && Arrays.equals(strides, g.strides) && Arrays.equals(dilations, g.dilations)
        && Arrays.equals(padBegin, g.padBegin) && Arrays.equals(padEnd, g.padEnd);
  }

  @Override
  public int hashCode() {
    int h = Boolean.hashCode(transposed);
    h = 31 * h + batch;
    h = 31 * h + inChannels;
    h = 31 * h + outChannels;
    h = 31 * h + groups;
    h = 31 * h + Arrays.hashCode(inSize);
    h = 31 * h + Arrays.hashCode(outSize);
    h = 31 * h + Arrays.hashCode(kernel);
    h = 31 * h + Arrays.hashCode(strides);
    h = 31 * h + Arrays.hashCode(dilations);
    h = 31 * h + Arrays.hashCode(padBegin);
    return 31 * h + Arrays.hashCode(padEnd);
  }

  @Override
  public String toString() {
    return (transposed ? "transposed convolution " : "convolution ") + Arrays.toString(srcDims()) + " -> "
        + Arrays.toString(dstDims()) + ", kernel " + Arrays.toString(kernel) + ", groups " + groups + ", strides "
        + Arrays.toString(strides) + ", dilations " + Arrays.toString(dilations) + ", pads "
        + Arrays.toString(padBegin) + "/" + Arrays.toString(padEnd);
  }
}
