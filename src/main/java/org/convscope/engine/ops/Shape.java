package org.convscope.engine.ops;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.NonDifferentiable;
import org.convscope.engine.OpSpec;
import org.convscope.engine.ShapeOfInputOp;
import org.convscope.tensor.Tensor;

/**
 * The input's shape as a 1-D int64 tensor; from opset 15 only dimensions start to end (exclusive), negative
 * values counting from the end and out-of-range ones clamped.
 */
public final class Shape implements NonDifferentiable, ShapeOfInputOp {
  private final long start;
  /** The end, or null for the rank. */
  private final Long end;

  public Shape(long start, Long end) {
    this.start = start;
    this.end = end;
  }

  static Shape fromSpec(OpSpec spec) {
    long start = spec.attributes().getInt("start", 0);
    Long end = spec.attributes().has("end") ? spec.attributes().requireInt("end") : null;
    return new Shape(start, end);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return new Tensor[] {forShape(inputs[0].shape())};
  }

  @Override
  public Tensor forShape(int[] shape) {
    int rank = shape.length;
    int first = clampToRank(start, rank);
    int last = end == null ? rank : clampToRank(end, rank);
    long[] dims = new long[Math.max(0, last - first)];
    for (int i = 0; i < dims.length; i++) dims[i] = shape[first + i];
    return Tensor.vector(dims);
  }

  private static int clampToRank(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    return (int) Math.max(0, Math.min(rank, a));
  }
}
