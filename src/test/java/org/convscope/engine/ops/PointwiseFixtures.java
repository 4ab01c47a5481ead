package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import java.util.Random;
import org.convscope.engine.Attributes;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/** Shared helpers for the pointwise op tests: building ops as a model would, and naive references. */
final class PointwiseFixtures {
  private PointwiseFixtures() {}

  /** The op the standard registry builds for a node with these attributes. */
  static Op create(String opType, int opset, int inputCount, Map<String, Object> attributes) {
    OpSpec spec = new OpSpec("n", opType, new Attributes("n", attributes), opset, inputCount, 1);
    return StandardOps.registry().create(spec);
  }

  static Op create(String opType, int inputCount) {
    return create(opType, 17, inputCount, Map.of());
  }

  static Tensor run(Op op, Tensor... inputs) {
    return op.forward(ExecutionContext.inference(), inputs)[0];
  }

  static Tensor[] backward(Op op, Tensor[] inputs, Tensor outputGrad, boolean... needed) {
    ExecutionContext ctx = ExecutionContext.inference();
    Tensor[] outputs = op.forward(ctx, inputs);
    return op.backward(ctx, inputs, outputs, new Tensor[] {outputGrad}, needed);
  }

  static Tensor tensor(int[] shape, float... values) {
    return Tensor.of(values, shape);
  }

  /** Uniform values in [lo, hi). */
  static Tensor uniform(long seed, float lo, float hi, int... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * r.nextFloat();
    return t;
  }

  static void assertClose(float[] expected, Tensor actual, double tolerance) {
    assertArrayEquals(expected, actual.data(), (float) tolerance);
  }

  static void assertShape(int[] expected, Tensor actual) {
    assertArrayEquals(expected, actual.shape(), "shape");
  }

  /** The multi-index of a row-major flat position. */
  static int[] unravel(int flat, int[] shape) {
    int[] index = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      index[d] = flat % shape[d];
      flat /= shape[d];
    }
    return index;
  }

  /** Flat position in an operand of the element that broadcasting places at {@code outIndex}. */
  static int broadcastOffset(int[] outIndex, int[] operandShape) {
    int skip = outIndex.length - operandShape.length;
    int offset = 0;
    for (int d = 0; d < operandShape.length; d++) {
      int i = operandShape[d] == 1 ? 0 : outIndex[d + skip];
      offset = offset * operandShape[d] + i;
    }
    return offset;
  }
}
