package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.DnnlException;
import org.convscope.engine.dnnl.MatrixProduct;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * A Linear layer as torch.onnx writes it, MatMul(x, W) then Add of a bias, optionally followed by an exact GELU
 * (ConvNeXt's and ViT's MLPs): y = gelu(x W + b), x [..., k], W [k, n], b [n]. {@link MatMul} recognizes the
 * group ({@link ExportedPatterns#linear}). oneDNN computes it in one matmul, the bias and the GELU applied as the
 * result is written; node by node, the Add and the GELU each passed over the [..., n] result in Java.
 *
 * <p>The GELU's derivative needs x W + b. On arrays, a run recorded for a backward pass computes it without the
 * GELU, keeps it ({@link ExecutionContext#keepForBackward}) and applies the GELU in Java; the backward pass
 * computes it again only when nothing was kept. It then takes MatMul's and Add's backward passes.
 *
 * <p>On a held x (ConvNeXt's channels-last activations between its convolutions) both passes stay in oneDNN:
 * the forward pass as one matmul that keeps nothing, the backward pass to x as x W + b again, the GELU's
 * derivative and a matmul by W transposed.
 */
public final class Linear implements HeldForwardOp, HeldGradientOp {
  private static final Gelu GELU = new Gelu(false);
  private static final MatMul MATMUL = new MatMul();
  private final boolean gelu;

  public Linear(boolean gelu) {
    this.gelu = gelu;
  }

  /** Whether the GELU follows the bias. */
  public boolean gelu() {
    return gelu;
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    if (!gelu || !context.isRecorded()) return new Tensor[] {affine(context, inputs, gelu)};
    Tensor z = affine(context, inputs, false);
    context.keepForBackward(this, inputs[0], z);
    return GELU.forward(context, new Tensor[] {z});
  }

  /**
   * x held, read as rows of k (a row-major x is read where it lies; another layout is reordered first), in one
   * matmul whose result stays held. A recorded run keeps nothing then: the backward pass computes x W + b again
   * for the GELU's derivative.
   */
  @Override
  public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
    if (!(held[0] instanceof BlockedTensor x) || !takes(x.shape(), inputs[1], inputs[2])) return null;
    Tensor w = inputs[1];
    Tensor b = inputs[2];
    int[] xShape = x.shape();
    int k = w.dim(0);
    int n = w.dim(1);
    int m = Shapes.checkedSize(xShape) / k;
    int[] outShape = xShape.clone();
    outShape[outShape.length - 1] = n;
    try (BlockedTensor rows = x.reshaped(new int[] {m, k})) {
      if (rows == null) return null;
      Activation activation = gelu ? Activation.of(Activation.Kind.GELU) : null;
      try (BlockedTensor y = MatrixProduct.linear(rows, w, b.data(), activation, m, k, n)) {
        return y.reshaped(outShape);
      }
    }
  }

  /** Whether x of {@code xShape}, float W [k, n] and b [n] make a Linear layer (the held passes' check). */
  private static boolean takes(int[] xShape, Tensor w, Tensor b) {
    return w != null && b != null && w.rank() == 2 && w.isFloat() && b.isFloat() && xShape.length > 0
        && xShape[xShape.length - 1] == w.dim(0) && b.size() == w.dim(1);
  }

  /** x W + b, then the GELU when {@code withGelu}. */
  private static Tensor affine(ExecutionContext context, Tensor[] inputs, boolean withGelu) {
    Tensor x = inputs[0];
    Tensor w = inputs[1];
    Tensor b = inputs[2];
    int k = w.rank() == 2 ? w.dim(0) : -1;
    int n = w.rank() == 2 ? w.dim(1) : -1;
    int[] xShape = x.shape();
    if (k < 0 || b.size() != n || xShape.length == 0 || xShape[xShape.length - 1] != k) {
      throw new IllegalArgumentException("Linear takes x [..., " + k + "], W [k, n] and b [n]; got "
          + Shapes.toString(xShape) + ", " + Shapes.toString(w.shape()) + " and " + Shapes.toString(b.shape()));
    }
    int m = x.size() / k;
    int[] outShape = Arrays.copyOf(xShape, xShape.length);
    outShape[outShape.length - 1] = n;
    if (MatrixKernels.byDnnl((long) m * n * k)) {
      Activation activation = withGelu ? Activation.of(Activation.Kind.GELU) : null;
      return Tensor.of(MatrixProduct.linear(x.data(), w, b.data(), activation, m, k, n, null), outShape);
    }
    float[] y = MatrixKernels.product(x.data(), false, w, false, m, n, k);
    for (int row = 0; row < m; row++) {
      for (int j = 0; j < n; j++) y[row * n + j] += b.data()[j];
    }
    Tensor z = Tensor.of(y, outShape);
    return withGelu ? GELU.forward(context, new Tensor[] {z})[0] : z;
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor dz = outputGrads[0];
    if (gelu) {
      Tensor z = context.keptTensor(this, inputs[0]);
      if (z == null) z = affine(context, inputs, false);
      dz = GELU.backward(context, new Tensor[] {z}, outputs, outputGrads, new boolean[] {true})[0];
    }
    Tensor[] product = MATMUL.backward(context, new Tensor[] {inputs[0], inputs[1]}, null,
        new Tensor[] {dz}, new boolean[] {needed[0], needed[1]});
    Tensor db = needed[2] ? Tensor.of(BroadcastPlan.sumTo(dz.data(), dz.shape(), inputs[2].shape()),
        inputs[2].shape()) : null;
    return new Tensor[] {product[0], product[1], db};
  }

  /**
   * x's gradient alone, through oneDNN from a held x: x W + b computed again (nothing was kept when the forward
   * pass ran held), the GELU's derivative applied by oneDNN's eltwise backward pass, then one matmul by W read
   * transposed. The weight's and bias's gradients are left to {@link #backward}.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!needed[0] || needed[1] || needed[2] || inputs[0] == null || !(inputs[0].held() instanceof BlockedTensor x)
        || inputs[1] == null || inputs[1].tensor() == null || inputs[2] == null || inputs[2].tensor() == null) {
      return null;
    }
    Tensor w = inputs[1].tensor();
    Tensor b = inputs[2].tensor();
    if (!takes(x.shape(), w, b)) return null;
    int k = w.dim(0);
    int n = w.dim(1);
    int m = Shapes.checkedSize(x.shape()) / k;
    try {
      return inputGradientHeld(x, w, b, dy, m, k, n, holdResult);
    } catch (DnnlException e) {
      return null; // shapes oneDNN has no kernel for: the Java pass
    }
  }

  /** {@link #backwardHeld} for x of m rows of k, W [k, n]. */
  private Value[] inputGradientHeld(BlockedTensor x, Tensor w, Tensor b, Value dy, int m, int k, int n,
      boolean holdResult) {
    int[] xShape = x.shape();
    try (BlockedTensor rows = x.reshaped(new int[] {m, k});
        HeldTensor dyRows = dy.held() != null ? dy.held().reshaped(new int[] {m, n}) : null) {
      if (rows == null || (dy.held() != null && dyRows == null)) return null;
      Tensor dyArray = dy.held() == null ? Tensor.of(dy.tensor().data(), m, n) : null;
      HeldTensor dz;
      if (gelu) {
        try (BlockedTensor z = MatrixProduct.linear(rows, w, b.data(), null, m, k, n)) {
          dz = z.activationGradient(Activation.of(Activation.Kind.GELU), dyArray, dyRows);
        }
      } else {
        dz = dyRows != null ? dyRows.share() : BlockedTensor.rowMajor(dyArray);
      }
      if (dz == null) return null;
      BlockedTensor dxRows;
      try (dz) {
        if (!(dz instanceof BlockedTensor dzRows)) return null;
        dxRows = MatrixProduct.multiply(new MatrixProduct.Shape(new long[] {m, n}, false, new long[] {n, k}, true),
            dzRows, w);
      }
      try (dxRows) {
        return new Value[] {Value.of(dxRows.reshaped(xShape), holdResult), null, null};
      }
    }
  }

  /** The GELU's derivative reads its output (see {@link Gelu}); without it, nothing reads y. */
  @Override
  public boolean backwardReadsOutput(int j) {
    return gelu;
  }
}
