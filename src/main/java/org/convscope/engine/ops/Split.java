package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.Attributes;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Cuts the input into consecutive parts along {@code axis}, one per output. The part sizes are the
 * {@code split} attribute (before opset 13) or the second input (from 13); without them the parts are equal,
 * and from opset 18 the last part may be smaller when the axis does not divide evenly.
 */
public final class Split implements Op {
  private final int axis;
  private final int outputCount;
  /** The sizes from the attribute, or null when they come from the input or are equal. */
  private final long[] sizes;
  private final boolean lastPartMayBeSmaller;

  public Split(int axis, int outputCount, long[] sizes, boolean lastPartMayBeSmaller) {
    this.axis = axis;
    this.outputCount = outputCount;
    this.sizes = sizes == null ? null : sizes.clone();
    this.lastPartMayBeSmaller = lastPartMayBeSmaller;
  }

  static Split fromSpec(OpSpec spec) {
    Attributes attributes = spec.attributes();
    long[] sizes = null;
    if (spec.opset() < 13) {
      sizes = attributes.getInts("split", null);
    } else if (attributes.has("split")) {
      throw spec.invalid("since opset 13 the split sizes are an input, not an attribute");
    }
    if (sizes != null && sizes.length != spec.outputCount()) {
      throw spec.invalid("split " + Arrays.toString(sizes) + " gives " + sizes.length + " sizes for "
          + spec.outputCount() + " outputs");
    }
    if (attributes.has("num_outputs") && attributes.requireInt("num_outputs") != spec.outputCount()) {
      throw spec.invalid("num_outputs is " + attributes.requireInt("num_outputs") + " but the node has "
          + spec.outputCount() + " outputs");
    }
    int axis = Math.toIntExact(attributes.getInt("axis", 0));
    return new Split(axis, spec.outputCount(), sizes, spec.opset() >= 18);
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    int a = Shapes.axis(axis, inputs[0].rank());
    return AxisBlocks.split(inputs[0], a, partSizes(inputs, inputs[0].dim(a)));
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    Tensor[] grads = new Tensor[inputs.length];
    if (!needed[0]) return grads;
    int a = Shapes.axis(axis, inputs[0].rank());
    int[] parts = partSizes(inputs, inputs[0].dim(a));
    Tensor[] partGrads = new Tensor[parts.length];
    for (int p = 0; p < parts.length; p++) {
      partGrads[p] = outputGrads[p];
      if (partGrads[p] == null) { // an output the graph does not name
        int[] shape = inputs[0].shape();
        shape[a] = parts[p];
        partGrads[p] = Tensor.zeros(shape);
      }
    }
    grads[0] = AxisBlocks.join(partGrads, a);
    return grads;
  }

  private int[] partSizes(Tensor[] inputs, int dim) {
    long[] given = sizes != null ? sizes : inputs.length > 1 && inputs[1] != null ? inputs[1].toLongs() : null;
    int[] parts = new int[outputCount];
    if (given != null) {
      if (given.length != outputCount) {
        throw new IllegalArgumentException("split sizes " + Arrays.toString(given) + " do not match " + outputCount + " outputs");
      }
      for (int p = 0; p < outputCount; p++) parts[p] = Math.toIntExact(given[p]);
      return parts;
    }
    int part = lastPartMayBeSmaller ? (dim + outputCount - 1) / outputCount : dim / outputCount;
    int last = dim - part * (outputCount - 1);
    if (last < 0 || last > part || (!lastPartMayBeSmaller && last != part)) {
      throw new IllegalArgumentException("cannot split a dimension of " + dim + " into " + outputCount + " equal parts");
    }
    Arrays.fill(parts, part);
    parts[outputCount - 1] = last;
    return parts;
  }
}
