package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.FusingOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.ConvGeometry;
import org.convscope.engine.dnnl.Convolution;
import org.convscope.engine.dnnl.Plan;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * What Conv and ConvTranspose share: inputs X, W and an optional bias B, one output, all computed by oneDNN
 * once the subclass has resolved the sizes. The weight gradient (and with it the bias gradient) is computed
 * only when asked for: explanations need only the data gradient. In runs that record nothing, a following
 * residual Add and an activation can be fused in as oneDNN post-ops, and the tensors between convolutions can
 * stay in oneDNN's layout ({@link FusingOp}).
 */
abstract class ConvolutionOp implements FusingOp, HeldGradientOp {
  final ConvAttributes attributes;

  ConvolutionOp(ConvAttributes attributes) {
    this.attributes = attributes;
  }

  /**
   * The sizes of this node's computation for input {@code x} and weights {@code w}: the convolution oneDNN
   * runs and, when the op's output is larger than that, where oneDNN's output lies inside it. Only a
   * transposed convolution has such margins, when output_shape asks for positions the kernel never reaches
   * (pads more negative than oneDNN takes); they hold just the bias.
   *
   * @param offset where oneDNN's output starts along each spatial axis, or null when it is the whole output
   * @param outputShape the op's output shape when {@code offset} is set
   */
  record Resolved(ConvGeometry geometry, int[] offset, int[] outputShape) {
    static Resolved exact(ConvGeometry geometry) {
      return new Resolved(geometry, null, null);
    }
  }

  /** {@code x} is X's shape. */
  abstract Resolved resolve(int[] x, Tensor w);

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Tensor x = inputs[0];
    Tensor w = inputs[1];
    Tensor bias = inputs.length > 2 ? inputs[2] : null;
    Resolved r = resolve(x, w);
    ConvGeometry g = r.geometry();
    checkBias(bias, g);
    int[] shape = Shapes.toInts(g.dstDims());
    Tensor y;
    if (g.batch() == 0) {
      y = Tensor.zeros(shape);
    } else if (context.isTraining()) {
      y = Tensor.of(trainingForward(context, g, x, w, bias, Shapes.checkedSize(shape)), shape);
    } else {
      y = Tensor.of(Convolution.forward(g, x, w, bias), shape);
    }
    return new Tensor[] {r.offset() == null ? y : OutputMargins.embed(y, r.offset(), r.outputShape(), bias)};
  }

  /**
   * The forward pass of a training step. x is staged for oneDNN once and, when the step allows it, kept so for
   * the backward-weights pass, which reads the same layout, instead of copied and reordered again.
   */
  private float[] trainingForward(ExecutionContext context, ConvGeometry g, Tensor x, Tensor w, Tensor bias,
      int size) {
    float[] y = context.outputArray(size);
    if (!context.keepsInputs()) return Convolution.trainingForward(g, x, null, w, bias, y);
    BlockedTensor heldX = Convolution.holdTrainingInput(g, x, bias != null);
    try {
      Convolution.trainingForward(g, x, heldX, w, bias, y);
    } catch (RuntimeException e) {
      heldX.close();
      throw e;
    }
    context.keep(this, x, heldX);
    return y;
  }

  /** Not with output margins, which oneDNN does not write (the activation would miss them). */
  @Override
  public Output forwardFused(ExecutionContext context, Tensor[] inputs, HeldTensor heldInput, Addend addend,
      Activation activation, boolean holdOutput) {
    if (heldInput != null && !(heldInput instanceof BlockedTensor)) return null;
    if (addend != null && addend.held() != null && !(addend.held() instanceof BlockedTensor)) return null;
    if (addend != null && addend.tensor() != null && !addend.tensor().isFloat()) return null;
    Tensor x = inputs[0];
    Tensor w = inputs[1];
    Tensor bias = inputs.length > 2 ? inputs[2] : null;
    if (heldInput == null && !x.isFloat()) return null;
    Resolved r = resolve(heldInput != null ? heldInput.shape() : x.shape(), w);
    ConvGeometry g = r.geometry();
    int[] shape = Shapes.toInts(g.dstDims());
    if (r.offset() != null || g.batch() == 0) return null;
    if (addend != null && !Arrays.equals(addend.shape(), shape)) return null;
    checkBias(bias, g);
    Plan.Addend sum = addend == null ? null : new Plan.Addend(addend.tensor() == null ? null : addend.tensor().data(),
        (BlockedTensor) addend.held(), addend.consumable());
    Plan.Chained out = context.isTraining()
        ? trainingForwardFused(context, g, x, (BlockedTensor) heldInput, w, bias, sum, activation, holdOutput)
        : Convolution.forwardChained(g, x, (BlockedTensor) heldInput, w, bias, sum, activation, holdOutput);
    return holdOutput ? new Output(null, out.held()) : new Output(Tensor.of(out.values()[0], shape), null);
  }

  /**
   * The fused run of a training step. An x that comes as a tensor is staged once, and kept so for the
   * backward-weights pass when the step allows it, as in {@link #trainingForward}.
   */
  private Plan.Chained trainingForwardFused(ExecutionContext context, ConvGeometry g, Tensor x, BlockedTensor heldX,
      Tensor w, Tensor bias, Plan.Addend sum, Activation activation, boolean holdOutput) {
    if (heldX != null) return Convolution.trainingForwardChained(g, heldX, w, bias, sum, activation, holdOutput);
    BlockedTensor staged = Convolution.holdTrainingInput(g, x, bias != null);
    try {
      Plan.Chained out = Convolution.trainingForwardChained(g, staged, w, bias, sum, activation, holdOutput);
      if (context.keepsInputs()) {
        context.keep(this, x, staged);
        staged = null;
      }
      return out;
    } finally {
      if (staged != null) staged.close();
    }
  }

  /** The backward passes read x, w and dy, never y: a fused recorded run need not keep y. */
  @Override
  public boolean backwardReadsOutput(int j) {
    return false;
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor x = inputs[0];
    Tensor w = inputs[1];
    Tensor bias = inputs.length > 2 ? inputs[2] : null;
    Resolved r = resolve(x, w);
    ConvGeometry g = r.geometry();
    Tensor dy = r.offset() == null ? outputGrads[0] : OutputMargins.crop(outputGrads[0], r.offset(), g.dstDims());
    boolean biasNeeded = bias != null && needed[2];
    Tensor[] grads = new Tensor[inputs.length];
    if (g.batch() == 0) {
      for (int i = 0; i < inputs.length; i++) {
        if (needed[i] && inputs[i] != null) grads[i] = Tensor.zeros(inputs[i].shape());
      }
      return grads;
    }
    // oneDNN's backward-weights pass gives the bias gradient along with the weights'. For the bias alone a
    // per-channel sum is far cheaper, and it is also needed when the output has margins oneDNN does not see.
    boolean biasByDnnl = biasNeeded && needed[1] && r.offset() == null;
    // Training needs both passes: dy is then staged for oneDNN once, not once per pass. Training also keeps
    // oneDNN's first choice of implementation, where timing may choose another, so that seeds reproduce models.
    boolean tuned = !context.isTraining();
    try (BlockedTensor heldX = context.takeKept(this, x, BlockedTensor.class);
        BlockedTensor heldDy = needed[0] && needed[1] ? Convolution.holdGradient(g, dy, tuned) : null) {
      if (needed[0]) {
        grads[0] = Tensor.of(Convolution.backwardData(g, w, dy, heldDy, tuned, context.outputArray(x.size())),
            x.shape());
      }
      if (needed[1]) {
        float[][] dw = Convolution.backwardWeights(g, x, dy, heldDy, heldX, biasByDnnl);
        grads[1] = Tensor.of(dw[0], w.shape());
        if (biasByDnnl) grads[2] = Tensor.of(dw[1], bias.shape());
      }
    }
    if (biasNeeded && !biasByDnnl) grads[2] = Tensor.of(sumPerChannel(outputGrads[0]), bias.shape());
    return grads;
  }

  /**
   * Outside training, the data gradient alone; in training, the weights' and bias's too, from x as the forward
   * run left it. Not with output margins, which oneDNN does not see; outside training a dy that comes as a
   * tensor is left to {@link #backward} unless dx is to stay held.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (inputs[0] == null || inputs[1] == null || (dy.held() != null && !(dy.held() instanceof BlockedTensor))) {
      return null;
    }
    Tensor w = inputs[1].tensor();
    HeldTensor heldX = inputs[0].held();
    boolean xFloat = heldX != null ? heldX instanceof BlockedTensor : inputs[0].tensor().isFloat();
    if (w == null || !xFloat) return null;
    int[] x = inputs[0].shape();
    Resolved r = resolve(x, w);
    if (r.offset() != null || r.geometry().batch() == 0) return null;
    if (context.isTraining()) return trainingBackwardHeld(context, r.geometry(), inputs, dy, needed, holdResult);
    if (!HeldGradientOp.firstOnly(needed) || (dy.held() == null && !holdResult)) return null;
    Plan.Chained dx = Convolution.backwardDataChained(r.geometry(), w, dy.tensor(), (BlockedTensor) dy.held(),
        heldX instanceof BlockedTensor b ? b : null, holdResult);
    return new Value[] {Value.of(dx.held(), dx.values(), x), null, null};
  }

  /**
   * A training step's backward pass: dy, staged once if it comes as a tensor, feeds both the data pass
   * (oneDNN's first choice, so that a seed reproduces a model) and the weights pass, which reads x held.
   */
  private Value[] trainingBackwardHeld(ExecutionContext context, ConvGeometry g, Value[] inputs, Value dy,
      boolean[] needed, boolean holdResult) {
    Tensor w = inputs[1].tensor();
    Tensor x = inputs[0].tensor();
    Tensor bias = inputs.length > 2 && inputs[2] != null ? inputs[2].tensor() : null;
    boolean biasNeeded = bias != null && needed[2];
    boolean biasByDnnl = biasNeeded && needed[1];
    Value[] grads = new Value[inputs.length];
    try (BlockedTensor stagedX = x != null ? context.takeKept(this, x, BlockedTensor.class) : null;
        BlockedTensor stagedDy = dy.held() == null ? Convolution.holdGradient(g, dy.tensor(), false) : null) {
      BlockedTensor heldDy = stagedDy != null ? stagedDy : (BlockedTensor) dy.held();
      BlockedTensor heldX = stagedX != null ? stagedX : (BlockedTensor) inputs[0].held();
      try {
        if (needed[0]) {
          Plan.Chained dx = Convolution.backwardDataChained(g, w, null, heldDy, holdResult, false);
          grads[0] = Value.of(dx.held(), dx.values(), inputs[0].shape());
        }
        if (needed[1]) {
          float[][] dw = Convolution.backwardWeights(g, x, null, heldDy, heldX, biasByDnnl);
          grads[1] = Value.of(dw[0], w.shape());
          if (biasByDnnl) grads[2] = Value.of(dw[1], bias.shape());
        }
        if (biasNeeded && !biasByDnnl) grads[2] = Value.of(sumPerChannel(heldDy.toTensor()), bias.shape());
      } catch (RuntimeException | Error e) {
        if (grads[0] != null && grads[0].held() != null) grads[0].held().close();
        throw e;
      }
    }
    return grads;
  }

  /** Checks the shapes both ops share (X's shape {@code x}): float weights of the input's rank. */
  void checkInputs(int[] x, Tensor w) {
    if (!w.isFloat()) throw new IllegalArgumentException(attributes.node + ": X and W must be float");
    int rank = x.length - 2;
    if (rank < 1 || rank > 3 || w.rank() != x.length) {
      throw new IllegalArgumentException(attributes.node + ": needs X and W of equal rank 3 to 5 (N, C and 1 to 3"
          + " spatial axes), got X " + Arrays.toString(x) + " and W " + Arrays.toString(w.shape()));
    }
  }

  private Resolved resolve(Tensor x, Tensor w) {
    if (!x.isFloat()) throw new IllegalArgumentException(attributes.node + ": X and W must be float");
    return resolve(x.shape(), w);
  }

  static int[] spatial(Tensor t) {
    return Arrays.copyOfRange(t.shape(), 2, t.rank());
  }

  private void checkBias(Tensor bias, ConvGeometry g) {
    if (bias != null && (!bias.isFloat() || bias.rank() != 1 || bias.dim(0) != g.outChannels())) {
      throw new IllegalArgumentException(attributes.node + ": bias of shape " + Arrays.toString(bias.shape())
          + " for " + g.outChannels() + " output channels");
    }
  }

  private static float[] sumPerChannel(Tensor dy) {
    int batch = dy.dim(0);
    int channels = dy.dim(1);
    int inner = dy.size() / (batch * channels);
    float[] g = dy.data();
    float[] sums = new float[channels];
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      for (int n = 0; n < batch; n++) {
        int offset = (n * channels + c) * inner;
        for (int i = 0; i < inner; i++) sum += g[offset + i];
      }
      sums[c] = (float) sum;
    }
    return sums;
  }

}
