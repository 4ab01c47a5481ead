package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Attributes;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Pads each axis with pads[k] elements before and pads[rank + k] after (negative pads crop). The border is a
 * constant, the reflection of the data about its first and last elements, a copy of the edge element, or
 * (opset 19) the data wrapped around. Before opset 11 the pads and the constant are attributes; from 11 they
 * are inputs, and from 18 an optional axes input says which axes the pads are for.
 */
public final class Pad implements HeldForwardOp, HeldGradientOp {
  /** How the border is filled. */
  public enum Mode {
    CONSTANT, REFLECT, EDGE, WRAP
  }

  private final Mode mode;
  /** The pads from the attribute (before opset 11), or null when they are an input. */
  private final long[] pads;
  /** The constant from the attribute (before opset 11). */
  private final float value;

  /** A Pad reading pads, constant_value and axes from its inputs (opset 11 on). */
  public Pad(Mode mode) {
    this(mode, null, 0);
  }

  /** A Pad with the arguments of opsets 2 to 10. */
  public Pad(Mode mode, long[] pads, float value) {
    this.mode = mode;
    this.pads = pads == null ? null : pads.clone();
    this.value = value;
  }

  static Pad fromSpec(OpSpec spec) {
    Attributes attributes = spec.attributes();
    Mode mode = switch (attributes.getString("mode", "constant")) {
      case "constant" -> Mode.CONSTANT;
      case "reflect" -> Mode.REFLECT;
      case "edge" -> Mode.EDGE;
      case "wrap" -> {
        if (spec.opset() < 19) throw spec.invalid("mode 'wrap' exists only from opset 19");
        yield Mode.WRAP;
      }
      default -> throw spec.invalid("unknown mode '" + attributes.getString("mode", "") + "'");
    };
    if (spec.opset() >= 11) {
      if (attributes.has("pads")) throw spec.invalid("since opset 11 the pads are an input, not an attribute");
      if (spec.inputCount() < 2) throw spec.invalid("the pads input is missing");
      return new Pad(mode);
    }
    long[] pads = attributes.getInts("pads", null);
    if (pads == null) throw spec.invalid("the pads attribute is missing");
    return new Pad(mode, pads, attributes.getFloat("value", 0));
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {map(inputs).apply(inputs[0], fillValue(inputs))};
  }

  /**
   * The first input, when the pads are known and none is negative, and the border is zeros or there is none
   * (PyTorch writes a Pad of nothing before DenseNet's average pools, and zeros before Inception-v3's; Keras's
   * ZeroPadding2D exports as one).
   */
  @Override
  public boolean readsHeld(int j, boolean[] mayBeHeld, Tensor[] constants) {
    long[] given = pads != null ? pads : constants.length > 1 && constants[1] != null && !constants[1].isFloat()
        ? constants[1].toLongs() : null;
    if (j != 0 || given == null || (pads == null && constants.length > 3)) return false;
    return padsNothing(given) || (zeroBorder(constants) && Arrays.stream(given).allMatch(p -> p >= 0));
  }

  /**
   * The held input as it is when the pads are all zero (another handle), or with zeros around it; null when the
   * pads are not known, an axes input names the axes, the border is not zeros or the layout cannot be padded.
   */
  @Override
  public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
    long[][] beforeAfter = held[0] == null ? null : knownPads(inputs, held[0].shape().length);
    if (beforeAfter == null) return null;
    if (padsNothing(beforeAfter[0]) && padsNothing(beforeAfter[1])) return held[0].share();
    if (!zeroBorder(inputs)) return null;
    return held[0].zeroPadded(toInts(beforeAfter[0]), toInts(beforeAfter[1]));
  }

  /**
   * With a constant border, dx is the middle of dy, which is cut out held (or handed on as it comes when the pads
   * are all zero); null otherwise, for the Java pass.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!HeldGradientOp.firstOnly(needed) || dy.held() == null) return null;
    Tensor[] arguments = new Tensor[inputs.length];
    for (int j = 1; j < inputs.length; j++) arguments[j] = inputs[j] == null ? null : inputs[j].tensor();
    int[] shape = dy.held().shape();
    long[][] beforeAfter = knownPads(arguments, shape.length);
    if (beforeAfter == null) return null;
    Value[] grads = new Value[inputs.length];
    if (padsNothing(beforeAfter[0]) && padsNothing(beforeAfter[1])) {
      grads[0] = holdResult ? dy : new Value(dy.held().toTensor(), null);
      return grads;
    }
    if (mode != Mode.CONSTANT) return null;
    int[] counts = shape.clone();
    for (int k = 0; k < counts.length; k++) counts[k] -= beforeAfter[0][k] + beforeAfter[1][k];
    HeldTensor dx = dy.held().sliced(toInts(beforeAfter[0]), counts);
    if (dx == null) return null;
    grads[0] = Value.of(dx, holdResult);
    return grads;
  }

  /**
   * The pads before and after each axis of a rank-{@code rank} input, when given (attribute or constant input)
   * for every axis, none negative; null otherwise.
   */
  private long[][] knownPads(Tensor[] inputs, int rank) {
    boolean axesGiven = pads == null && inputs.length > 3 && inputs[3] != null;
    Tensor padsInput = pads == null && inputs.length > 1 ? inputs[1] : null;
    long[] given = pads != null ? pads : padsInput == null || padsInput.isFloat() ? null : padsInput.toLongs();
    if (axesGiven || given == null || given.length != 2 * rank || Arrays.stream(given).anyMatch(p -> p < 0)) {
      return null;
    }
    return new long[][] {Arrays.copyOfRange(given, 0, rank), Arrays.copyOfRange(given, rank, 2 * rank)};
  }

  /** Whether the border is zeros: constant mode with the constant 0 (the default). */
  private boolean zeroBorder(Tensor[] inputs) {
    if (mode != Mode.CONSTANT) return false;
    if (pads != null) return value == 0;
    Tensor constant = inputs.length > 2 ? inputs[2] : null;
    return constant == null || constant.size() == 0 || fillValue(inputs) == 0;
  }

  private static int[] toInts(long[] values) {
    return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
  }

  private static boolean padsNothing(long[] given) {
    return given != null && Arrays.stream(given).allMatch(p -> p == 0);
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor[] grads = new Tensor[inputs.length];
    ElementMap map = map(inputs);
    if (needed[0]) grads[0] = map.gradient(outputGrads[0], inputs[0].shape());
    if (needed.length > 2 && needed[2]) {
      // The constant reaches every border element.
      float[] g = outputGrads[0].data();
      float sum = 0;
      for (int i = 0; i < g.length; i++) if (map.from()[i] == ElementMap.NONE) sum += g[i];
      grads[2] = Tensor.full(sum, inputs[2].shape());
    }
    return grads;
  }

  private double fillValue(Tensor[] inputs) {
    if (pads != null) return value;
    Tensor constant = inputs.length > 2 ? inputs[2] : null;
    if (constant == null || constant.size() == 0) return 0;
    return constant.isFloat() ? constant.data()[0] : constant.longs()[0];
  }

  private ElementMap map(Tensor[] inputs) {
    int[] shape = inputs[0].shape();
    int rank = shape.length;
    long[] given = pads != null ? pads : inputs[1].toLongs();
    long[] axes = pads == null && inputs.length > 3 && inputs[3] != null ? inputs[3].toLongs() : null;
    int padded = axes == null ? rank : axes.length;
    if (given.length != 2 * padded) {
      throw new IllegalArgumentException("Pad needs " + 2 * padded + " pads for an input of shape " + Shapes.toString(shape)
          + (axes == null ? "" : " and axes " + Arrays.toString(axes)) + ", got " + Arrays.toString(given));
    }
    long[] before = new long[rank];
    long[] after = new long[rank];
    for (int i = 0; i < padded; i++) {
      int axis = axes == null ? i : Shapes.axis(Math.toIntExact(axes[i]), rank);
      before[axis] = given[i];
      after[axis] = given[padded + i];
    }
    int[] strides = Shapes.strides(shape);
    int[][] offsets = new int[rank][];
    for (int k = 0; k < rank; k++) {
      long length = shape[k] + before[k] + after[k];
      if (length < 0 || length > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("pads " + Arrays.toString(given) + " do not fit shape " + Shapes.toString(shape));
      }
      offsets[k] = new int[(int) length];
      for (int c = 0; c < length; c++) {
        int source = source(c - before[k], shape[k]);
        offsets[k][c] = source == ElementMap.NONE ? ElementMap.NONE : source * strides[k];
      }
    }
    return ElementMap.of(offsets);
  }

  /** The input coordinate that coordinate i (relative to the data's start, possibly outside) copies. */
  private int source(long i, int n) {
    if (i >= 0 && i < n) return (int) i;
    if (mode == Mode.CONSTANT) return ElementMap.NONE;
    if (n == 0) throw new IllegalArgumentException("cannot pad an empty axis in " + mode.name().toLowerCase() + " mode");
    return switch (mode) {
      case EDGE -> i < 0 ? 0 : n - 1;
      case WRAP -> (int) Math.floorMod(i, (long) n);
      default -> { // REFLECT: the data mirrored about its ends repeats with period 2(n - 1)
        if (n == 1) yield 0;
        int r = (int) Math.floorMod(i, 2L * (n - 1));
        yield r < n ? r : 2 * (n - 1) - r;
      }
    };
  }
}
