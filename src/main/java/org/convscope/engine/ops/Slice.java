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
 * Takes elements start, start + step, ... up to (not including) end along the given axes, as Python slicing
 * does: negative starts and ends count from the end, out-of-range ones (such as INT64_MAX for "to the end")
 * are clamped, and a negative step walks backwards. Before opset 10 starts, ends and axes are attributes and
 * the step is 1; from opset 10 they are inputs 1 to 4.
 */
public final class Slice implements HeldForwardOp, HeldGradientOp {
  /** Starts, ends and axes from the attributes (before opset 10), or null when they are inputs. */
  private final long[] starts;
  private final long[] ends;
  private final long[] axes;

  /** A Slice reading its arguments from its inputs (opset 10 on). */
  public Slice() {
    this(null, null, null);
  }

  /** A Slice with the arguments of opsets 1 to 9; {@code axes} may be null for all axes in order. */
  public Slice(long[] starts, long[] ends, long[] axes) {
    this.starts = starts == null ? null : starts.clone();
    this.ends = ends == null ? null : ends.clone();
    this.axes = axes == null ? null : axes.clone();
  }

  static Slice fromSpec(OpSpec spec) {
    Attributes attributes = spec.attributes();
    if (spec.opset() >= 10) {
      if (attributes.has("starts") || attributes.has("ends")) {
        throw spec.invalid("since opset 10 starts and ends are inputs, not attributes");
      }
      if (spec.inputCount() < 3) throw spec.invalid("the starts and ends inputs are missing");
      return new Slice();
    }
    long[] starts = attributes.getInts("starts", null);
    long[] ends = attributes.getInts("ends", null);
    long[] axes = attributes.getInts("axes", null);
    if (starts == null || ends == null) throw spec.invalid("the starts and ends attributes are required");
    if (starts.length != ends.length || (axes != null && axes.length != starts.length)) {
      throw spec.invalid("starts, ends and axes differ in length");
    }
    return new Slice(starts, ends, axes);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {map(inputs[0].shape(), inputs).apply(inputs[0], 0)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor[] grads = new Tensor[inputs.length];
    if (needed[0]) grads[0] = map(inputs[0].shape(), inputs).gradient(outputGrads[0], inputs[0].shape());
    return grads;
  }

  /**
   * The same as {@link #backward}, reading only the data's shape, so that held data is not read back. A held dy
   * of a slice whose steps are all 1 (ShuffleNet's halves) becomes dx held: dy with zeros around it. Through
   * Java, ShuffleNetV2's saliency pass at batch 8 spent three quarters of its Java time making index maps here.
   */
  @Override
  public Value[] backwardHeld(ExecutionContext context, Value[] inputs, Value[] outputs, Value dy, boolean[] needed,
      boolean holdResult) {
    if (!needed[0] || inputs[0] == null) return null;
    Tensor[] arguments = new Tensor[inputs.length];
    for (int j = 1; j < inputs.length; j++) {
      if (inputs[j] != null && inputs[j].tensor() == null) return null;
      arguments[j] = inputs[j] == null ? null : inputs[j].tensor();
    }
    int[] shape = inputs[0].shape();
    HeldTensor padded = dy.held() == null ? null : zeroPadded(dy.held(), ranges(shape, arguments), shape);
    if (padded != null) {
      Value[] grads = new Value[inputs.length];
      grads[0] = Value.of(padded, holdResult);
      return grads;
    }
    Tensor g = dy.held() != null ? dy.held().toTensor() : dy.tensor();
    Value[] grads = new Value[inputs.length];
    grads[0] = new Value(map(shape, arguments).gradient(g, shape), null);
    return grads;
  }

  /**
   * A held input's part copied once into a new dense held tensor, when every step is 1 (ShuffleNet splits its
   * channels in two so); null otherwise, for the Java pass.
   */
  @Override
  public HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held) {
    if (held[0] == null) return null;
    Ranges r = ranges(held[0].shape(), inputs);
    int[] starts = r.unitStepStarts();
    return starts == null ? null : held[0].sliced(starts, r.count);
  }

  /** dy with zeros where the slice took nothing, when every step is 1; else null. */
  private static HeldTensor zeroPadded(HeldTensor dy, Ranges r, int[] shape) {
    int[] before = r.unitStepStarts();
    if (before == null || !Arrays.equals(dy.shape(), r.count)) return null;
    int[] after = new int[shape.length];
    for (int k = 0; k < shape.length; k++) after[k] = shape[k] - before[k] - r.count[k];
    return dy.zeroPadded(before, after);
  }

  /** Along each axis: the first index taken, the step and how many are taken. */
  private record Ranges(long[] start, long[] step, int[] count) {
    /** The first indices, when every step is 1 and no axis is empty (what held passes take); else null. */
    int[] unitStepStarts() {
      int[] starts = new int[start.length];
      for (int k = 0; k < starts.length; k++) {
        if (step[k] != 1 || count[k] == 0) return null;
        starts[k] = (int) start[k];
      }
      return starts;
    }
  }

  /** The copy from data of {@code shape}, the bounds being {@code inputs} 1 on (or the attributes). */
  private ElementMap map(int[] shape, Tensor[] inputs) {
    Ranges r = ranges(shape, inputs);
    int[] strides = Shapes.strides(shape);
    int[][] offsets = new int[shape.length][];
    for (int k = 0; k < shape.length; k++) {
      offsets[k] = new int[r.count[k]];
      for (int c = 0; c < r.count[k]; c++) offsets[k][c] = (int) (r.start[k] + c * r.step[k]) * strides[k];
    }
    return ElementMap.of(offsets);
  }

  private Ranges ranges(int[] shape, Tensor[] inputs) {
    long[] from = starts != null ? starts : inputs[1].toLongs();
    long[] to = ends != null ? ends : inputs[2].toLongs();
    long[] on = starts != null ? axes : argument(inputs, 3);
    long[] steps = starts != null ? null : argument(inputs, 4);
    if (to.length != from.length || (on != null && on.length != from.length) || (steps != null && steps.length != from.length)) {
      throw new IllegalArgumentException("Slice starts " + Arrays.toString(from) + ", ends " + Arrays.toString(to)
          + ", axes " + Arrays.toString(on) + " and steps " + Arrays.toString(steps) + " differ in length");
    }
    // By default every axis is taken whole.
    long[] start = new long[shape.length];
    long[] step = new long[shape.length];
    int[] count = shape.clone();
    Arrays.fill(step, 1);
    boolean[] seen = new boolean[shape.length];
    for (int i = 0; i < from.length; i++) {
      int axis = Shapes.axis(on == null ? i : Math.toIntExact(on[i]), shape.length);
      if (seen[axis]) throw new IllegalArgumentException("Slice axes " + Arrays.toString(on) + " repeat axis " + axis);
      seen[axis] = true;
      long s = steps == null ? 1 : steps[i];
      if (s == 0) throw new IllegalArgumentException("Slice step cannot be 0");
      long dim = shape[axis];
      long first = from[i] < 0 ? from[i] + dim : from[i];
      long end = to[i] < 0 ? to[i] + dim : to[i];
      long distance;
      if (s > 0) {
        first = clamp(first, 0, dim);
        distance = clamp(end, 0, dim) - first;
      } else {
        first = clamp(first, 0, dim - 1);
        distance = first - clamp(end, -1, dim - 1);
      }
      long stride = Math.abs(s);
      count[axis] = dim == 0 || distance <= 0 ? 0 : (int) ((distance - 1) / stride + 1);
      start[axis] = first;
      step[axis] = s;
    }
    return new Ranges(start, step, count);
  }

  /** An optional int64 input, or null when absent. */
  private static long[] argument(Tensor[] inputs, int index) {
    return index < inputs.length && inputs[index] != null ? inputs[index].toLongs() : null;
  }

  private static long clamp(long value, long low, long high) {
    return Math.max(low, Math.min(high, value));
  }
}
