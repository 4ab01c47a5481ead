package org.convscope.engine.ops;

import java.util.Arrays;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Gives the data the shape held by the second input. In that shape -1 means "whatever size is left" and 0
 * means "same as the input's dimension" unless {@code allowzero} (opset 14) asks for a literal zero.
 */
public final class Reshape extends ReshapingOp {
  private final boolean allowZero;

  public Reshape(boolean allowZero) {
    this.allowZero = allowZero;
  }

  static Reshape fromSpec(OpSpec spec) {
    if (spec.inputCount() < 2) throw spec.invalid("the target shape input is missing");
    return new Reshape(spec.attributes().getInt("allowzero", 0) != 0);
  }

  @Override
  int[] outputShape(int[] in, Tensor[] inputs) {
    long[] target = inputs[1].toLongs();
    int[] out = new int[target.length];
    int inferred = -1;
    long known = 1;
    for (int i = 0; i < target.length; i++) {
      long d = target[i];
      if (d == -1) {
        if (inferred >= 0) throw new IllegalArgumentException("Reshape target " + Arrays.toString(target) + " has more than one -1");
        inferred = i;
        continue;
      }
      if (d == 0 && !allowZero) {
        if (i >= in.length) {
          throw new IllegalArgumentException("Reshape target " + Arrays.toString(target) + " copies dimension " + i
              + " of an input of rank " + in.length);
        }
        d = in[i];
      }
      if (d < 0 || d > Integer.MAX_VALUE) throw new IllegalArgumentException("Reshape target " + Arrays.toString(target) + " has an invalid dimension");
      out[i] = (int) d;
      known *= d;
    }
    long size = Shapes.size(in);
    if (inferred >= 0) {
      if (known == 0 || size % known != 0) {
        throw new IllegalArgumentException("cannot reshape " + Shapes.toString(in) + " to " + Arrays.toString(target));
      }
      out[inferred] = (int) (size / known);
    } else if (known != size) {
      throw new IllegalArgumentException("cannot reshape " + Shapes.toString(in) + " (" + size + " values) to "
          + Arrays.toString(target));
    }
    return out;
  }
}
