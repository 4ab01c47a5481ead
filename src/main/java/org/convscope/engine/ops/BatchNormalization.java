package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Activation;
import org.convscope.engine.ChannelAffineOp;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.FusingOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.OpSpec;
import org.convscope.engine.dnnl.BatchNorm;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.Plan;
import org.convscope.tensor.Tensor;

/**
 * ONNX BatchNormalization over the channel axis (axis 1) of an N x C x D1 ... Dk input, for every opset from 7.
 * A rank-1 input of size N counts as one channel.
 *
 * <p>Inference normalizes with the running statistics (inputs mean and var). Batch statistics are used when
 * the run is a training run ({@link ExecutionContext#isTraining()}) or when the node itself is a training node
 * (training_mode=1 from opset 14, training outputs before). Then the variance is the population variance, the
 * running statistics become {@code running * momentum + batch * (1 - momentum)}, a training run records them as
 * state updates of the mean and var tensors, and the node's optional outputs return them (opset 14: running
 * mean and var; before: running mean and var, then batch mean and var). Those outputs carry no gradient.
 *
 * <p>In a training step a batch norm with one output runs through oneDNN in the layout its input comes in,
 * usually a convolution's held output, applying a following ReLU as it writes ({@link FusingOp}); it keeps
 * the batch statistics for its backward pass, which then runs through oneDNN too ({@link HeldGradientOp}).
 * Outside training it runs so with the running statistics when its input comes held or its output is to stay
 * held (DenseNet's layers normalize their concatenated input before their first convolution).
 */
public final class BatchNormalization implements ChannelAffineOp, FusingOp, HeldGradientOp {
  private final float epsilon;
  private final float momentum;
  private final boolean trainingNode;
  private final int outputCount;

  private BatchNormalization(float epsilon, float momentum, boolean trainingNode, int outputCount) {
    this.epsilon = epsilon;
    this.momentum = momentum;
    this.trainingNode = trainingNode;
    this.outputCount = outputCount;
  }

  /** Builds the op for a node, checking its attributes. */
  public static BatchNormalization create(OpSpec spec) {
    var a = spec.attributes();
    if (spec.inputCount() != 5) throw spec.invalid("needs 5 inputs (X, scale, B, mean, var), got " + spec.inputCount());
    if (spec.opset() < 9 && a.getInt("spatial", 1) != 1) {
      throw spec.invalid("spatial=0 (statistics per activation) is not supported; flatten the input to N x (C*D1*...) "
          + "and use spatial=1");
    }
    float epsilon = a.getFloat("epsilon", 1e-5f);
    float momentum = a.getFloat("momentum", 0.9f);
    if (!(epsilon >= 0)) throw spec.invalid("epsilon must be non-negative, got " + epsilon);
    boolean training;
    if (spec.opset() >= 14) {
      long mode = a.getInt("training_mode", 0);
      if (mode != 0 && mode != 1) throw spec.invalid("training_mode must be 0 or 1");
      training = mode == 1;
      if (spec.outputCount() > 3) throw spec.invalid("has at most 3 outputs from opset 14, got " + spec.outputCount());
      if (!training && spec.outputCount() > 1) throw spec.invalid("running mean and var outputs need training_mode=1");
    } else {
      if (spec.outputCount() > 5) throw spec.invalid("has at most 5 outputs, got " + spec.outputCount());
      training = spec.outputCount() > 1;
    }
    return new BatchNormalization(epsilon, momentum, training, spec.outputCount());
  }

  /** N, C and the size of one channel of one batch item. */
  private record Dims(int batch, int channels, int plane) {
    static Dims of(Tensor x) {
      if (x.rank() == 0) throw new IllegalArgumentException("BatchNormalization needs an input of rank 1 or more");
      int plane = 1;
      for (int i = 2; i < x.rank(); i++) plane *= x.dim(i);
      return new Dims(x.dim(0), x.rank() > 1 ? x.dim(1) : 1, plane);
    }

    int valuesPerChannel() {
      return batch * plane;
    }
  }

  private boolean usesBatchStatistics(ExecutionContext context) {
    return trainingNode || context.isTraining();
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor x = inputs[0];
    Dims d = Dims.of(x);
    for (int i = 1; i < 5; i++) {
      if (inputs[i].size() != d.channels()) {
        throw new IllegalArgumentException("input " + i + " has " + inputs[i].size() + " values for " + d.channels()
            + " channels");
      }
    }
    float[] scale = inputs[1].data();
    float[] bias = inputs[2].data();
    Tensor[] outputs = new Tensor[outputCount];
    float[] mean;
    float[] var;
    if (usesBatchStatistics(context)) {
      mean = new float[d.channels()];
      var = new float[d.channels()];
      batchStatistics(x.data(), d, mean, var);
      float[] runningMean = blend(inputs[3].data(), mean);
      float[] runningVar = blend(inputs[4].data(), var);
      if (context.isTraining()) {
        context.updateState(inputs[3], runningMean);
        context.updateState(inputs[4], runningVar);
      }
      float[][] extra = {runningMean, runningVar, mean, var};
      for (int k = 1; k < outputCount; k++) outputs[k] = Tensor.of(extra[k - 1].clone(), d.channels());
    } else {
      mean = inputs[3].data();
      var = inputs[4].data();
    }
    float[] xs = x.data();
    float[] y = context.outputArray(xs.length);
    float[][] affine = affine(scale, bias, mean, var);
    Planes.forEach(d.batch() * d.channels(), xs.length, p -> {
      float gain = affine[0][p % d.channels()];
      float shift = affine[1][p % d.channels()];
      for (int i = p * d.plane(), end = i + d.plane(); i < end; i++) y[i] = xs[i] * gain + shift;
    });
    outputs[0] = Tensor.of(y, x.shape());
    return outputs;
  }

  /** The batch statistics a training step's fused run kept for its backward pass. */
  private record Statistics(float[] mean, float[] variance) implements AutoCloseable {
    @Override
    public void close() {}
  }

  /** In training steps only, on input ranks 2 to 5, with a ReLU as the only activation. */
  @Override
  public Output forwardFused(ExecutionContext context, Tensor[] inputs, HeldTensor heldInput, Addend addend,
      Activation activation, boolean holdOutput) {
    boolean relu = Activation.relu().equals(activation);
    if (outputCount != 1 || addend != null || (activation != null && !relu)) return null;
    if (!context.isTraining()) return trainingNode ? null : forwardInference(inputs, heldInput, relu, holdOutput);
    long[] dims = oneDnnDims(inputs, heldInput);
    if (dims == null) return null;
    int[] shape = heldInput != null ? heldInput.shape() : inputs[0].shape();
    BatchNorm.Forward out = BatchNorm.forwardTraining(dims, (BlockedTensor) heldInput,
        heldInput == null ? inputs[0].data() : null, inputs[1].data(), inputs[2].data(), epsilon, relu, holdOutput);
    context.updateState(inputs[3], blend(inputs[3].data(), out.mean()));
    context.updateState(inputs[4], blend(inputs[4].data(), out.variance()));
    if (context.keepsInputs()) {
      context.keep(this, heldInput != null ? heldInput : inputs[0], new Statistics(out.mean(), out.variance()));
    }
    return holdOutput ? new Output(null, out.held()) : new Output(Tensor.of(out.values(), shape), null);
  }

  /**
   * x's dimensions when oneDNN's batch norm takes x (held in a layout it made, or a float array) and these
   * parameters (float, one per channel), else null.
   */
  private static long[] oneDnnDims(Tensor[] inputs, HeldTensor heldInput) {
    if (heldInput != null ? !(heldInput instanceof BlockedTensor) : !inputs[0].isFloat()) return null;
    int[] shape = heldInput != null ? heldInput.shape() : inputs[0].shape();
    if (shape.length < 2 || shape.length > 5 || Arrays.stream(shape).anyMatch(d -> d == 0)) return null;
    for (int i = 1; i < 5; i++) {
      if (inputs[i] == null || !inputs[i].isFloat() || inputs[i].size() != shape[1]) return null;
    }
    return Arrays.stream(shape).asLongStream().toArray();
  }

  /**
   * Inference with the running statistics through oneDNN, and the ReLU after it, when x comes held or y is to
   * stay held (DenseNet's layers normalize their concatenated input so); null otherwise, for the Java pass.
   */
  private Output forwardInference(Tensor[] inputs, HeldTensor heldInput, boolean relu, boolean holdOutput) {
    long[] dims = heldInput == null && !holdOutput ? null : oneDnnDims(inputs, heldInput);
    if (dims == null) return null;
    int[] shape = heldInput != null ? heldInput.shape() : inputs[0].shape();
    Plan.Chained y = BatchNorm.forwardInference(dims, (BlockedTensor) heldInput,
        heldInput == null ? inputs[0].data() : null, inputs[1].data(), inputs[2].data(), inputs[3].data(),
        inputs[4].data(), epsilon, relu, holdOutput);
    return holdOutput ? new Output(null, y.held()) : new Output(Tensor.of(y.values()[0], shape), null);
  }

  /**
   * In a training step whose fused run kept the batch statistics for this x: dx (held when asked), and the
   * scale's and bias's gradients, through oneDNN. Outside training, dx alone from a held dy: see
   * {@link #inferenceBackwardHeld}.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!context.isTraining()) return trainingNode ? null : inferenceBackwardHeld(inputs, dy, needed, holdResult);
    if (needed[3] || needed[4] || inputs[0] == null || inputs[1] == null) return null;
    Object x = inputs[0].held() != null ? inputs[0].held() : inputs[0].tensor();
    if (dy.held() != null && !(dy.held() instanceof BlockedTensor)) return null;
    try (Statistics statistics = context.takeKept(this, x, Statistics.class)) {
      if (statistics == null) return null;
      long[] dims = Arrays.stream(inputs[0].shape()).asLongStream().toArray();
      BlockedTensor heldX = inputs[0].held() instanceof BlockedTensor b ? b : null;
      BatchNorm.Backward g = BatchNorm.backward(dims, heldX, heldX == null ? inputs[0].tensor().data() : null,
          (BlockedTensor) dy.held(), dy.held() == null ? dy.tensor().data() : null, statistics.mean(),
          statistics.variance(), inputs[1].tensor().data(), epsilon, holdResult && needed[0]);
      Value[] grads = new Value[inputs.length];
      if (needed[0]) {
        grads[0] = Value.of(g.held(), new float[][] {g.values()}, inputs[0].shape());
      } else if (g.held() != null) {
        g.held().close();
      }
      if (needed[1]) grads[1] = Value.of(g.scaleGradient(), inputs[1].tensor().shape());
      if (needed[2]) grads[2] = Value.of(g.shiftGradient(), inputs[1].tensor().shape());
      return grads;
    }
  }

  /**
   * With the running statistics dx is dy times each channel's gain, scale / sqrt(var + epsilon): one oneDNN
   * product in dy's layout. DenseNet's saliency pass at batch 8 spent about half its time in this op's Java
   * pass, reading each held dy back to an array and the product back into oneDNN's layout.
   */
  private Value[] inferenceBackwardHeld(Value[] inputs, Value dy, boolean[] needed, boolean holdResult) {
    if (!HeldGradientOp.firstOnly(needed) || !(dy.held() instanceof BlockedTensor heldDy)) return null;
    Tensor scale = inputs[1] == null ? null : inputs[1].tensor();
    Tensor var = inputs[4] == null ? null : inputs[4].tensor();
    int[] shape = heldDy.shape();
    if (shape.length < 2 || scale == null || var == null || !scale.isFloat() || !var.isFloat()
        || scale.size() != shape[1] || var.size() != shape[1]) {
      return null;
    }
    float[] gain = gains(scale.data(), var.data());
    int[] gainShape = new int[shape.length];
    Arrays.fill(gainShape, 1);
    gainShape[1] = shape[1];
    BlockedTensor dx = heldDy.timesPerChannel(Tensor.of(gain, gainShape), null);
    return dx == null ? null : new Value[] {Value.of(dx, holdResult)};
  }

  /** y = x * gain + shift per channel, with gain and shift rounded to float as the forward pass uses them. */
  private float[][] affine(float[] scale, float[] bias, float[] mean, float[] var) {
    float[] gain = gains(scale, var);
    float[] shift = new float[scale.length];
    for (int c = 0; c < gain.length; c++) shift[c] = bias[c] - mean[c] * gain[c];
    return new float[][] {gain, shift};
  }

  /** scale / sqrt(var + epsilon) per channel, rounded to float: the inference map's gain and dx's factor. */
  private float[] gains(float[] scale, float[] var) {
    float[] gain = new float[scale.length];
    for (int c = 0; c < gain.length; c++) gain[c] = (float) (scale[c] / Math.sqrt((double) var[c] + epsilon));
    return gain;
  }

  /** The inference map, for a convolution to fold in; none for a node that normalizes by batch statistics. */
  @Override
  public float[][] channelAffine(Tensor[] inputs) {
    if (trainingNode || outputCount != 1) return null;
    int channels = inputs[1].size();
    for (int i = 2; i < 5; i++) if (!inputs[i].isFloat() || inputs[i].size() != channels) return null;
    return affine(inputs[1].data(), inputs[2].data(), inputs[3].data(), inputs[4].data());
  }

  /** running * momentum + batch * (1 - momentum), ONNX's convention (PyTorch's momentum is 1 minus this one). */
  private float[] blend(float[] running, float[] batch) {
    float[] out = new float[running.length];
    for (int c = 0; c < out.length; c++) out[c] = running[c] * momentum + batch[c] * (1 - momentum);
    return out;
  }

  /**
   * Per-channel mean and population variance in one pass: sums of x - K and (x - K)^2 in double, where the shift
   * K is the channel's first value, so that var = E[(x-K)^2] - E[x-K]^2 does not cancel when the mean is large
   * against the spread (the shifted-data algorithm).
   */
  private static void batchStatistics(float[] x, Dims d, float[] mean, float[] var) {
    Planes.forEach(d.channels(), x.length, c -> {
      ChannelSums s = ChannelSums.of(x, null, d, c);
      mean[c] = (float) s.mean(d);
      var[c] = (float) s.variance(d);
    });
  }

  /**
   * One channel's sums over the batch, around the shift K (its first value): of x - K, (x - K)^2 and, when a
   * gradient g is given, of g and g (x - K). Two accumulators per sum halve the dependency chains of the adds.
   */
  private record ChannelSums(double shift, double x, double squares, double g, double gx) {
    static ChannelSums of(float[] xs, float[] gs, Dims d, int c) {
      float k = d.valuesPerChannel() == 0 ? 0 : xs[c * d.plane()];
      double x0 = 0, x1 = 0, q0 = 0, q1 = 0, g0 = 0, g1 = 0, p0 = 0, p1 = 0;
      for (int n = 0; n < d.batch(); n++) {
        int from = (n * d.channels() + c) * d.plane();
        int end = from + d.plane();
        int i = from;
        // Two loops, not a test per element: the forward pass needs only the first two sums.
        if (gs == null) {
          for (; i + 1 < end; i += 2) {
            double a = xs[i] - k;
            double b = xs[i + 1] - k;
            x0 += a;
            x1 += b;
            q0 += a * a;
            q1 += b * b;
          }
        } else {
          for (; i + 1 < end; i += 2) {
            double a = xs[i] - k;
            double b = xs[i + 1] - k;
            x0 += a;
            x1 += b;
            q0 += a * a;
            q1 += b * b;
            g0 += gs[i];
            g1 += gs[i + 1];
            p0 += gs[i] * a;
            p1 += gs[i + 1] * b;
          }
        }
        for (; i < end; i++) {
          double a = xs[i] - k;
          x0 += a;
          q0 += a * a;
          if (gs != null) {
            g0 += gs[i];
            p0 += gs[i] * a;
          }
        }
      }
      return new ChannelSums(k, x0 + x1, q0 + q1, g0 + g1, p0 + p1);
    }

    double mean(Dims d) {
      return shift + x / d.valuesPerChannel();
    }

    double variance(Dims d) {
      double m = x / d.valuesPerChannel();
      return Math.max(0, squares / d.valuesPerChannel() - m * m);
    }

    /** The sum of g (x - mean): the sum of g (x - K) less (mean - K) times the sum of g. */
    double gradientTimesCentred(Dims d) {
      return gx - (x / d.valuesPerChannel()) * g;
    }
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    // x is null when a fused run skipped it and only dx is needed, which does not read it (see below).
    Tensor x = inputs[0];
    Dims d = Dims.of(outputGrads[0]);
    float[] xs = x == null ? null : x.data();
    float[] g = outputGrads[0].data();
    float[] scale = inputs[1].data();
    if (usesBatchStatistics(context)) return batchStatisticsBackward(context, inputs, d, xs, g, scale, needed);
    float[] mean = inputs[3].data();
    float[] var = inputs[4].data();
    double[] invStd = new double[d.channels()];
    for (int c = 0; c < invStd.length; c++) invStd[c] = 1 / Math.sqrt((double) var[c] + epsilon);

    // Per channel: sum of g, and sum of g times the normalized input.
    boolean anyParameter = needed[1] || needed[2] || needed[3] || needed[4];
    double[] sumG = new double[d.channels()];
    double[] sumGNorm = new double[d.channels()];
    if (anyParameter) {
      Planes.forEach(d.channels(), xs.length, c -> {
        double sg = 0;
        double sgx = 0;
        for (int n = 0; n < d.batch(); n++) {
          for (int i = (n * d.channels() + c) * d.plane(), end = i + d.plane(); i < end; i++) {
            sg += g[i];
            sgx += g[i] * (xs[i] - (double) mean[c]);
          }
        }
        sumG[c] = sg;
        sumGNorm[c] = sgx * invStd[c];
      });
    }

    Tensor[] grads = new Tensor[inputs.length];
    if (needed[0]) {
      float[] dx = context.outputArray(g.length);
      Planes.forEach(d.batch() * d.channels(), g.length, p -> {
        double gain = scale[p % d.channels()] * invStd[p % d.channels()];
        for (int i = p * d.plane(), to = i + d.plane(); i < to; i++) dx[i] = (float) (gain * g[i]);
      });
      grads[0] = Tensor.of(dx, outputGrads[0].shape());
    }
    if (needed[1]) grads[1] = channelTensor(sumGNorm, inputs[1]);
    if (needed[2]) grads[2] = channelTensor(sumG, inputs[2]);
    double[] dMean = new double[d.channels()];
    double[] dVar = new double[d.channels()];
    for (int c = 0; c < d.channels(); c++) {
      dMean[c] = -scale[c] * invStd[c] * sumG[c];
      dVar[c] = -0.5 * scale[c] * invStd[c] * invStd[c] * sumGNorm[c];
    }
    if (needed[3]) grads[3] = channelTensor(dMean, inputs[3]);
    if (needed[4]) grads[4] = channelTensor(dVar, inputs[4]);
    return grads;
  }

  /** In inference, dx reads neither x nor y; the parameters' gradients and batch statistics read x. */
  @Override
  public boolean backwardReadsInput(int j, boolean[] needed) {
    return j != 0 || trainingNode || needed[1] || needed[2] || needed[3] || needed[4];
  }

  /** A training run normalizes by the batch's statistics, which dx depends on too. */
  @Override
  public boolean backwardReadsInput(ExecutionContext context, int j, boolean[] needed) {
    return context.isTraining() || backwardReadsInput(j, needed);
  }

  @Override
  public boolean backwardReadsOutput(int j) {
    return false;
  }

  /**
   * The backward pass when the batch's own statistics normalized it. They depend on x too, so the gradient loses
   * its mean and its projection on x-hat: dx = gain (g - mean(g) - x-hat mean(g x-hat)). One pass gathers the
   * statistics and the gradient's sums (as the forward pass computed them), a second writes dx as
   * {@code gain * g + k * (x - mean) + shift} in float, a form the JIT vectorizes. The running statistics get no
   * gradient: the output does not depend on them.
   */
  private Tensor[] batchStatisticsBackward(ExecutionContext context, Tensor[] inputs, Dims d, float[] xs, float[] g,
      float[] scale, boolean[] needed) {
    int channels = d.channels();
    double m = d.valuesPerChannel();
    float[] mean = new float[channels];
    float[] gain = new float[channels];
    float[] slope = new float[channels];
    float[] shift = new float[channels];
    double[] sumG = new double[channels];
    double[] sumGNorm = new double[channels];
    Planes.forEach(channels, xs.length, c -> {
      ChannelSums s = ChannelSums.of(xs, g, d, c);
      mean[c] = (float) s.mean(d);
      double invStd = 1 / Math.sqrt((double) (float) s.variance(d) + epsilon);
      sumG[c] = s.g();
      sumGNorm[c] = s.gradientTimesCentred(d) * invStd;
      double gainC = scale[c] * invStd;
      gain[c] = (float) gainC;
      slope[c] = (float) (-gainC * invStd * sumGNorm[c] / m);
      shift[c] = (float) (-gainC * sumG[c] / m);
    });
    Tensor[] grads = new Tensor[inputs.length];
    if (needed[0]) {
      float[] dx = context.outputArray(xs.length);
      Planes.forEach(d.batch() * channels, xs.length, p -> {
        int c = p % channels;
        float a = gain[c];
        float k = slope[c];
        float b = shift[c];
        float mu = mean[c];
        for (int i = p * d.plane(), to = i + d.plane(); i < to; i++) dx[i] = a * g[i] + k * (xs[i] - mu) + b;
      });
      grads[0] = Tensor.of(dx, inputs[0].shape());
    }
    if (needed[1]) grads[1] = channelTensor(sumGNorm, inputs[1]);
    if (needed[2]) grads[2] = channelTensor(sumG, inputs[2]);
    return grads;
  }

  private static Tensor channelTensor(double[] values, Tensor like) {
    float[] out = new float[values.length];
    for (int c = 0; c < out.length; c++) out[c] = (float) values[c];
    return Tensor.of(out, like.shape());
  }
}
