package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.Concatenation;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Joins its inputs along {@code axis} (negative counts from the end). Its gradient splits the output gradient.
 * Held float inputs are joined by oneDNN and the result stays held (DenseNet's layers each join all the
 * features before them).
 */
public final class Concat implements HeldForwardOp, HeldGradientOp {
  private final int axis;

  public Concat(int axis) {
    this.axis = axis;
  }

  static Concat fromSpec(OpSpec spec) {
    if (!spec.attributes().has("axis")) throw spec.invalid("the axis attribute is missing");
    if (spec.inputCount() == 0) throw spec.invalid("there is nothing to concatenate");
    return new Concat(Math.toIntExact(spec.attributes().requireInt("axis")));
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {AxisBlocks.join(inputs, Shapes.axis(axis, inputs[0].rank()))};
  }

  /** Every input, when every one may come held. */
  @Override
  public boolean readsHeld(int j, boolean[] mayBeHeld, Tensor[] constants) {
    for (boolean held : mayBeHeld) if (!held) return false;
    return true;
  }

  @Override
  public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
    BlockedTensor[] blocked = new BlockedTensor[held.length];
    for (int i = 0; i < held.length; i++) {
      if (!(held[i] instanceof BlockedTensor b) || b.shape().length != held[0].shape().length) return null;
      blocked[i] = b;
    }
    if (blocked.length == 1) return blocked[0].share();
    int a = Shapes.axis(axis, blocked[0].shape().length);
    int[] first = blocked[0].shape();
    for (BlockedTensor b : blocked) {
      int[] shape = b.shape();
      for (int k = 0; k < shape.length; k++) if (k != a && shape[k] != first[k]) return null;
    }
    return Concatenation.join(blocked, a);
  }

  /** The same as {@link #backward}, reading only the inputs' shapes, so that held inputs are not read back. */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    int[][] shapes = new int[inputs.length][];
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) return null;
      shapes[i] = inputs[i].shape();
    }
    if (dy.held() != null) {
      Value[] held = heldParts(dy.held(), shapes, needed, holdResult);
      if (held != null) return held;
    }
    Tensor[] parts = split(dy.held() != null ? dy.held().toTensor() : dy.tensor(), shapes, needed);
    Value[] grads = new Value[inputs.length];
    for (int i = 0; i < inputs.length; i++) if (parts[i] != null) grads[i] = new Value(parts[i], null);
    return grads;
  }

  /**
   * A held dy cut into held parts, each read where it lies in dy ({@link HeldTensor#part}); null when dy's layout
   * cannot be cut there (a channel block split). DenseNet's layers each join all the features before them, so
   * each feature's gradient is the sum of a slice of every later layer's: each slice is added to that sum as it
   * is read, in one pass.
   */
  private Value[] heldParts(HeldTensor dy, int[][] shapes, boolean[] needed, boolean holdFirst) {
    int a = Shapes.axis(axis, shapes[0].length);
    Value[] grads = new Value[shapes.length];
    int offset = 0;
    try {
      for (int i = 0; i < shapes.length; offset += shapes[i][a], i++) {
        if (!needed[i]) continue;
        int[] starts = new int[shapes[i].length];
        starts[a] = offset;
        HeldTensor part = dy.part(starts, shapes[i]);
        if (part == null) {
          closeHeld(grads);
          return null;
        }
        grads[i] = Value.of(part, i != 0 || holdFirst);
      }
    } catch (RuntimeException | Error e) {
      closeHeld(grads);
      throw e;
    }
    return grads;
  }

  private static void closeHeld(Value[] values) {
    for (Value v : values) if (v != null && v.held() != null) v.held().close();
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    int[][] shapes = new int[inputs.length][];
    for (int i = 0; i < inputs.length; i++) shapes[i] = inputs[i].shape();
    return split(outputGrads[0], shapes, needed);
  }

  /** The output gradient split among inputs of these shapes along the axis; null where not needed. */
  private Tensor[] split(Tensor dy, int[][] shapes, boolean[] needed) {
    int a = Shapes.axis(axis, shapes[0].length);
    int[] sizes = new int[shapes.length];
    for (int i = 0; i < shapes.length; i++) sizes[i] = shapes[i][a];
    Tensor[] grads = AxisBlocks.split(dy, a, sizes);
    for (int i = 0; i < grads.length; i++) if (!needed[i]) grads[i] = null;
    return grads;
  }
}
