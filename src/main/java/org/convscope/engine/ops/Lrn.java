package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/**
 * ONNX LRN, local response normalization across channels (AlexNet, GoogLeNet):
 * {@code y = x / (bias + alpha / size * sum of x^2 over the neighbouring channels)^beta}, where channel c's
 * neighbours run from {@code c - floor((size-1)/2)} to {@code c + ceil((size-1)/2)}.
 */
public final class Lrn implements Op {
  private final float alpha;
  private final float beta;
  private final float bias;
  private final int size;
  /** Channels before and after c in c's window. */
  private final int before;
  private final int after;

  private Lrn(float alpha, float beta, float bias, int size) {
    this.alpha = alpha;
    this.beta = beta;
    this.bias = bias;
    this.size = size;
    this.before = (size - 1) / 2;
    this.after = size / 2;
  }

  /** Builds the op for a node, checking its attributes. */
  public static Lrn create(OpSpec spec) {
    var a = spec.attributes();
    if (!a.has("size")) throw spec.invalid("required attribute 'size' is missing");
    long size = a.getInt("size", 0);
    if (size < 1 || size > Integer.MAX_VALUE) throw spec.invalid("size must be positive, got " + size);
    return new Lrn(a.getFloat("alpha", 1e-4f), a.getFloat("beta", 0.75f), a.getFloat("bias", 1f), (int) size);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor input = inputs[0];
    float[] x = input.data();
    int channels = channels(input);
    int plane = x.length == 0 ? 0 : x.length / (input.dim(0) * channels);
    float[] y = new float[x.length];
    Planes.forEach(input.dim(0) * channels, x.length, p -> {
      float[] squares = windowSquares(x, p, channels, plane);
      int base = p * plane;
      for (int s = 0; s < plane; s++) y[base + s] = (float) (x[base + s] * Math.pow(denominator(squares[s]), -beta));
    });
    return new Tensor[] {Tensor.of(y, input.shape())};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor input = inputs[0];
    float[] x = input.data();
    float[] g = outputGrads[0].data();
    int channels = channels(input);
    int plane = x.length == 0 ? 0 : x.length / (input.dim(0) * channels);
    int planes = input.dim(0) * channels;
    // y_c = x_c * d_c^-beta with d_c = bias + alpha/size * sum of squares in c's window. Keep d^-beta, and
    // g_c * x_c * d_c^(-beta-1), which every channel in c's window receives times -2 beta alpha/size x_j.
    float[] scaleFactor = new float[x.length];
    float[] spread = new float[x.length];
    Planes.forEach(planes, x.length, p -> {
      float[] squares = windowSquares(x, p, channels, plane);
      int base = p * plane;
      for (int s = 0; s < plane; s++) {
        double d = denominator(squares[s]);
        double factor = Math.pow(d, -beta);
        scaleFactor[base + s] = (float) factor;
        spread[base + s] = (float) (g[base + s] * x[base + s] * factor / d);
      }
    });
    float[] dx = new float[x.length];
    double k = 2.0 * alpha * beta / size;
    Planes.forEach(planes, x.length, p -> {
      int n = p / channels;
      int j = p % channels;
      float[] sum = new float[plane];
      // Channel j lies in the windows of channels j - after ... j + before.
      for (int c = Math.max(0, j - after); c <= Math.min(channels - 1, j + before); c++) {
        int from = (n * channels + c) * plane;
        for (int s = 0; s < plane; s++) sum[s] += spread[from + s];
      }
      int base = p * plane;
      for (int s = 0; s < plane; s++) {
        dx[base + s] = (float) (g[base + s] * scaleFactor[base + s] - k * x[base + s] * sum[s]);
      }
    });
    return new Tensor[] {Tensor.of(dx, input.shape())};
  }

  private static int channels(Tensor input) {
    if (input.rank() < 2) throw new IllegalArgumentException("LRN needs an input of rank 2 or more (N x C ...), got " + input);
    return input.dim(1);
  }

  private double denominator(float squareSum) {
    return bias + (double) alpha / size * squareSum;
  }

  /** For plane p (batch n, channel c), the sum of squares over c's window of channels, per position. */
  private float[] windowSquares(float[] x, int p, int channels, int plane) {
    int n = p / channels;
    int c = p % channels;
    float[] squares = new float[plane];
    for (int i = Math.max(0, c - before); i <= Math.min(channels - 1, c + after); i++) {
      int from = (n * channels + i) * plane;
      for (int s = 0; s < plane; s++) squares[s] += x[from + s] * x[from + s];
    }
    return squares;
  }
}
