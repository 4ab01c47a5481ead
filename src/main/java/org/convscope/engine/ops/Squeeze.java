package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Removes axes of size 1: the given ones (an attribute before opset 13, the second input from 13), or all of
 * them when none are given.
 */
public final class Squeeze extends ReshapingOp {
  /** The axes from the attribute, or null when they come from the input or are absent. */
  private final long[] axes;

  public Squeeze(long[] axes) {
    this.axes = axes == null ? null : axes.clone();
  }

  static Squeeze fromSpec(OpSpec spec) {
    return new Squeeze(AxesArgument.attributeBeforeOpset13(spec, false));
  }

  @Override
  int[] outputShape(int[] in, Tensor[] inputs) {
    long[] given = axes != null ? axes : inputs.length > 1 && inputs[1] != null ? inputs[1].toLongs() : null;
    boolean[] remove = new boolean[in.length];
    if (given == null) {
      for (int i = 0; i < in.length; i++) remove[i] = in[i] == 1;
    } else {
      for (long axis : given) {
        int a = Shapes.axis(Math.toIntExact(axis), in.length);
        if (in[a] != 1) {
          throw new IllegalArgumentException("cannot squeeze axis " + axis + " of shape " + Shapes.toString(in) + ": its size is not 1");
        }
        remove[a] = true;
      }
    }
    int[] out = new int[in.length];
    int rank = 0;
    for (int i = 0; i < in.length; i++) if (!remove[i]) out[rank++] = in[i];
    return Arrays.copyOf(out, rank);
  }
}
