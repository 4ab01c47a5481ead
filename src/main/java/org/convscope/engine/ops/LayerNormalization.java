package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.OpSpec;
import org.convscope.engine.Parallel;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.DnnlException;
import org.convscope.engine.dnnl.LayerNorm;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Layer normalization (opset 17): each row of X over the dimensions from {@code axis} on is standardized,
 * (x - mean) / sqrt(var + epsilon), then scaled by Scale and shifted by the optional B, both of which broadcast
 * to those dimensions. The optional outputs Mean and InvStdDev have X's shape with the normalized dimensions
 * set to 1. Statistics are accumulated in double. The backward pass reaches X, Scale and B, and takes in
 * gradients arriving at Mean and InvStdDev too. The forward pass splits its rows among the cores (ConvNeXt-T
 * normalizes about 2.5 million values per image, in rows of 96 to 768). On a held X normalized along its last
 * dimension, oneDNN computes Y and X's gradient, with float statistics ({@link LayerNorm}).
 */
public final class LayerNormalization implements HeldForwardOp, HeldGradientOp {
  private final int axis;
  private final float epsilon;

  public LayerNormalization(int axis, float epsilon) {
    this.axis = axis;
    this.epsilon = epsilon;
  }

  static LayerNormalization create(OpSpec spec) {
    if (spec.inputCount() < 2) throw spec.invalid("needs X and Scale inputs");
    return new LayerNormalization(Math.toIntExact(spec.attributes().getInt("axis", -1)),
        spec.attributes().getFloat("epsilon", 1e-5f));
  }

  /** How X splits into rows: {@code outer} rows of {@code n} values, normalized over {@code rowShape}. */
  private record Rows(int outer, int n, int[] rowShape, int[] statsShape) {}

  private Rows rows(int[] shape) {
    int a = Shapes.axis(axis, shape.length);
    int[] rowShape = Arrays.copyOfRange(shape, a, shape.length);
    int[] statsShape = shape.clone();
    Arrays.fill(statsShape, a, shape.length, 1);
    int n = Shapes.checkedSize(rowShape);
    return new Rows(n == 0 ? 0 : Shapes.checkedSize(shape) / n, n, rowShape, statsShape);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    float[] x = inputs[0].data();
    Rows r = rows(inputs[0].shape());
    float[] scale = perPosition(inputs[1], r, "Scale");
    float[] bias = inputs.length > 2 && inputs[2] != null ? perPosition(inputs[2], r, "B") : new float[r.n];
    double[] mean = new double[r.outer];
    double[] invStd = new double[r.outer];
    float[] y = new float[x.length];
    Parallel.forRange(r.outer, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, r.n)), (from, to) -> {
      statistics(x, r, mean, invStd, from, to);
      for (int row = from; row < to; row++) {
        int base = row * r.n;
        // In float, which the JIT vectorizes: half the op's time on ConvNeXt's shapes (1.06 -> 0.52 ms for
        // 56x56 rows of 96); the statistics stay in double.
        float mu = (float) mean[row];
        float s = (float) invStd[row];
        for (int j = 0; j < r.n; j++) y[base + j] = (x[base + j] - mu) * s * scale[j] + bias[j];
      }
    });
    return new Tensor[] {Tensor.of(y, inputs[0].shape()), Tensor.of(toFloats(mean), r.statsShape),
        Tensor.of(toFloats(invStd), r.statsShape)};
  }

  /** Y only, through oneDNN, when the rows are the last dimension (ConvNeXt's channels). */
  @Override
  public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
    if (held[0] == null || !(held[0] instanceof BlockedTensor x)) return null;
    int[] shape = x.shape();
    Rows r = rows(shape);
    if (r.rowShape.length != 1) return null;
    float[] scale = perPosition(inputs[1], r, "Scale");
    float[] bias = inputs.length > 2 && inputs[2] != null ? perPosition(inputs[2], r, "B") : new float[r.n];
    return LayerNorm.forward(x, scale, bias, epsilon);
  }

  /**
   * X's gradient alone through oneDNN, from a held X, when the rows are the last dimension; Scale's and B's are
   * left to {@link #backward}, as are gradients arriving at Mean or InvStdDev (the executor runs this pass only
   * for a node with one output).
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!needed[0] || (needed.length > 1 && needed[1]) || (needed.length > 2 && needed[2])
        || inputs[0] == null || !(inputs[0].held() instanceof BlockedTensor x) || inputs[1] == null
        || inputs[1].tensor() == null) {
      return null;
    }
    Rows r = rows(x.shape());
    if (r.rowShape.length != 1) return null;
    float[] scale = perPosition(inputs[1].tensor(), r, "Scale");
    BlockedTensor heldDy = dy.held() instanceof BlockedTensor b ? b : null;
    Tensor dyValues = heldDy == null ? (dy.held() != null ? dy.held().toTensor() : dy.tensor()) : null;
    BlockedTensor dx;
    try {
      dx = LayerNorm.backward(x, heldDy, dyValues == null ? null : dyValues.data(), scale, epsilon);
    } catch (DnnlException e) {
      return null; // shapes oneDNN has no kernel for: the Java pass
    }
    Value[] grads = new Value[inputs.length];
    grads[0] = Value.of(dx, holdResult);
    return grads;
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    float[] x = inputs[0].data();
    Rows r = rows(inputs[0].shape());
    float[] scale = perPosition(inputs[1], r, "Scale");
    float[] g = outputGrads[0].data();
    float[] gMean = outputGrads.length > 1 && outputGrads[1] != null ? outputGrads[1].data() : null;
    float[] gInvStd = outputGrads.length > 2 && outputGrads[2] != null ? outputGrads[2].data() : null;
    double[] mean = new double[r.outer];
    double[] invStd = new double[r.outer];
    statistics(x, r, mean, invStd, 0, r.outer);
    float[] dx = needed[0] ? new float[x.length] : null;
    double[] dScale = new double[r.n];
    double[] dBias = new double[r.n];
    double[] normalized = new double[r.n];
    for (int row = 0; row < r.outer; row++) {
      int base = row * r.n;
      double s = invStd[row];
      // With u = g * scale and z the normalized row: dx = s * (u - mean(u) - z * mean(u * z)).
      double sumU = 0;
      double sumUZ = 0;
      for (int j = 0; j < r.n; j++) {
        double z = (x[base + j] - mean[row]) * s;
        normalized[j] = z;
        double u = (double) g[base + j] * scale[j];
        sumU += u;
        sumUZ += u * z;
        dScale[j] += g[base + j] * z;
        dBias[j] += g[base + j];
      }
      if (dx == null) continue;
      double meanU = sumU / r.n;
      double meanUZ = sumUZ / r.n;
      // Mean's gradient spreads evenly; InvStdDev = (var + eps)^(-1/2) has d/dx_j = -s^2 z_j / n.
      double fromMean = gMean == null ? 0 : gMean[row] / (double) r.n;
      double fromInvStd = gInvStd == null ? 0 : gInvStd[row] * s * s / r.n;
      for (int j = 0; j < r.n; j++) {
        double u = (double) g[base + j] * scale[j];
        dx[base + j] = (float) (s * (u - meanU - normalized[j] * meanUZ) + fromMean - fromInvStd * normalized[j]);
      }
    }
    Tensor[] grads = new Tensor[inputs.length];
    if (dx != null) grads[0] = Tensor.of(dx, inputs[0].shape());
    if (needed[1]) grads[1] = reduced(dScale, r, inputs[1]);
    if (inputs.length > 2 && inputs[2] != null && needed[2]) grads[2] = reduced(dBias, r, inputs[2]);
    return grads;
  }

  /**
   * Rows [from, to)'s means and 1 / sqrt(variance + epsilon), accumulated in double, each sum in four
   * interleaved parts: one running sum waits out every addition's latency.
   */
  private void statistics(float[] x, Rows r, double[] mean, double[] invStd, int from, int to) {
    int n = r.n;
    int quads = n & ~3;
    for (int row = from; row < to; row++) {
      int base = row * n;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int j = 0; j < quads; j += 4) {
        s0 += x[base + j];
        s1 += x[base + j + 1];
        s2 += x[base + j + 2];
        s3 += x[base + j + 3];
      }
      for (int j = quads; j < n; j++) s0 += x[base + j];
      double mu = (s0 + s1 + s2 + s3) / n;
      double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
      for (int j = 0; j < quads; j += 4) {
        double d0 = x[base + j] - mu;
        double d1 = x[base + j + 1] - mu;
        double d2 = x[base + j + 2] - mu;
        double d3 = x[base + j + 3] - mu;
        q0 += d0 * d0;
        q1 += d1 * d1;
        q2 += d2 * d2;
        q3 += d3 * d3;
      }
      for (int j = quads; j < n; j++) {
        double d = x[base + j] - mu;
        q0 += d * d;
      }
      mean[row] = mu;
      invStd[row] = 1 / Math.sqrt((q0 + q1 + q2 + q3) / n + epsilon);
    }
  }

  /** Scale or B repeated to one value per position of a row. */
  private static float[] perPosition(Tensor parameter, Rows r, String name) {
    if (!BroadcastPlan.of(r.rowShape, parameter.shape()).hasShape(r.rowShape)) {
      throw new IllegalArgumentException(name + " of shape " + Shapes.toString(parameter.shape())
          + " does not broadcast to the normalized dimensions " + Shapes.toString(r.rowShape));
    }
    return BroadcastPlan.expand(parameter.data(), parameter.shape(), r.rowShape);
  }

  /** A per-position gradient summed back to the parameter's shape. */
  private static Tensor reduced(double[] perPosition, Rows r, Tensor parameter) {
    return Tensor.of(BroadcastPlan.sumTo(toFloats(perPosition), r.rowShape, parameter.shape()), parameter.shape());
  }

  private static float[] toFloats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) out[i] = (float) values[i];
    return out;
  }
}
