package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Base of ReduceSum and ReduceMean: a weighted sum over some axes. The axes are an attribute in older opsets
 * and an optional second input in newer ones (ReduceSum from 13, ReduceMean from 18). No axes means all
 * axes, unless {@code noop_with_empty_axes} is set, which makes the op the identity. {@code keepdims}
 * (default 1) keeps reduced axes as size 1.
 */
abstract class Reduction implements Op {
  /** The axes attribute, or null when absent or when axes come as an input. */
  private final long[] axesAttribute;
  private final boolean keepDims;
  private final boolean noopWithEmptyAxes;

  Reduction(long[] axesAttribute, boolean keepDims, boolean noopWithEmptyAxes) {
    this.axesAttribute = axesAttribute == null ? null : axesAttribute.clone();
    this.keepDims = keepDims;
    this.noopWithEmptyAxes = noopWithEmptyAxes;
  }

  /** Reads the attributes, given the opset from which this op type takes its axes as an input. */
  static Settings settings(OpSpec spec, int axesInputSince) {
    boolean axesAsInput = spec.opset() >= axesInputSince;
    if (axesAsInput && spec.attributes().has("axes")) {
      throw spec.invalid("axes is an input since opset " + axesInputSince + ", not an attribute");
    }
    if (!axesAsInput && spec.inputCount() > 1) {
      throw spec.invalid("axes is an attribute before opset " + axesInputSince + ", not an input");
    }
    return new Settings(spec.attributes().getInts("axes", null), flag(spec, "keepdims", 1),
        flag(spec, "noop_with_empty_axes", 0));
  }

  record Settings(long[] axes, boolean keepDims, boolean noopWithEmptyAxes) {}

  private static boolean flag(OpSpec spec, String name, long fallback) {
    long v = spec.attributes().getInt(name, fallback);
    if (v != 0 && v != 1) throw spec.invalid(name + " must be 0 or 1, got " + v);
    return v == 1;
  }

  /** Whether this reduces the last axis alone, by attribute, and keeps it as size 1 (as a layer norm does). */
  boolean reducesLastAxisOnly() {
    return axesAttribute != null && axesAttribute.length == 1 && axesAttribute[0] == -1 && keepDims;
  }

  /** The factor applied to the sum, given how many elements each output gathers. */
  abstract double weight(long count);

  /** Which axes a run reduces, and the result's shape with and without kept dimensions. */
  record Plan(boolean identity, int[] keptShape, int[] outShape, long count) {}

  private Plan plan(Tensor[] inputs) {
    return plan(inputs, axesAttribute, keepDims, noopWithEmptyAxes);
  }

  /** The plan of one run, given the op's settings; ReduceMax and ReduceMin follow the same axes rules. */
  static Plan plan(Tensor[] inputs, long[] axesAttribute, boolean keepDims, boolean noopWithEmptyAxes) {
    int[] shape = inputs[0].shape();
    long[] axes = axesAttribute;
    if (inputs.length > 1 && inputs[1] != null) axes = inputs[1].longs();
    boolean empty = axes == null || axes.length == 0;
    if (empty && noopWithEmptyAxes) return new Plan(true, shape, shape, 1);
    boolean[] reduced = new boolean[shape.length];
    for (int d = 0; d < shape.length; d++) reduced[d] = empty;
    if (!empty) {
      for (long axis : axes) reduced[Shapes.axis(Math.toIntExact(axis), shape.length)] = true;
    }
    int[] kept = shape.clone();
    int[] out = new int[shape.length];
    int outRank = 0;
    long count = 1;
    for (int d = 0; d < shape.length; d++) {
      if (reduced[d]) {
        count *= shape[d];
        kept[d] = 1;
        if (keepDims) out[outRank++] = 1;
      } else {
        out[outRank++] = shape[d];
      }
    }
    return new Plan(false, kept, Arrays.copyOf(out, outRank), count);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    Plan p = plan(inputs);
    float[] x = inputs[0].data();
    if (p.identity) return new Tensor[] {Tensor.of(x.clone(), p.outShape)};
    float[] y = BroadcastPlan.sumTo(x, inputs[0].shape(), p.keptShape);
    scale(y, weight(p.count));
    return new Tensor[] {Tensor.of(y, p.outShape)};
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Plan p = plan(inputs);
    float[] g = outputGrads[0].data();
    Tensor[] grads = new Tensor[inputs.length];
    if (p.identity) {
      grads[0] = Tensor.of(g.clone(), p.outShape);
    } else {
      // Scaled before it is repeated: the same products, on the smaller array.
      float[] scaled = g.clone();
      scale(scaled, weight(p.count));
      grads[0] = Tensor.of(BroadcastPlan.expand(scaled, p.keptShape, inputs[0].shape()), inputs[0].shape());
    }
    return grads;
  }

  private static void scale(float[] values, double factor) {
    if (factor == 1) return;
    for (int i = 0; i < values.length; i++) values[i] = (float) (values[i] * factor);
  }
}
