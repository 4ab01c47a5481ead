package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Inserts axes of size 1 at the given positions of the output (an attribute before opset 13, the second input
 * from 13); negative positions count from the end of the output, and their order does not matter.
 */
public final class Unsqueeze extends ReshapingOp {
  /** The axes from the attribute, or null when they come from the input. */
  private final long[] axes;

  public Unsqueeze(long[] axes) {
    this.axes = axes == null ? null : axes.clone();
  }

  static Unsqueeze fromSpec(OpSpec spec) {
    return new Unsqueeze(AxesArgument.attributeBeforeOpset13(spec, true));
  }

  @Override
  int[] outputShape(int[] in, Tensor[] inputs) {
    long[] given = axes != null ? axes : inputs[1].toLongs();
    int rank = in.length + given.length;
    boolean[] inserted = new boolean[rank];
    for (long axis : given) {
      int a = Shapes.axis(Math.toIntExact(axis), rank);
      if (inserted[a]) throw new IllegalArgumentException("Unsqueeze axes " + Arrays.toString(given) + " repeat axis " + a);
      inserted[a] = true;
    }
    int[] out = new int[rank];
    for (int i = 0, next = 0; i < rank; i++) out[i] = inserted[i] ? 1 : in[next++];
    return out;
  }
}
