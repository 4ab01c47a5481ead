package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import org.convscope.engine.Attributes;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Shapes;
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

  /**
   * Random shapes {a, b} that broadcast together: a common shape of rank 0 to 4 with sizes 1 to 5, from which
   * each operand keeps a random number of trailing dimensions and sets some of them to 1.
   */
  static int[][] randomBroadcastPair(Random random) {
    int[] full = new int[random.nextInt(5)];
    for (int d = 0; d < full.length; d++) full[d] = 1 + random.nextInt(5);
    return new int[][] {randomOperand(random, full), randomOperand(random, full)};
  }

  private static int[] randomOperand(Random random, int[] full) {
    int rank = random.nextInt(full.length + 1);
    int[] shape = Arrays.copyOfRange(full, full.length - rank, full.length);
    for (int d = 0; d < rank; d++) if (random.nextInt(3) == 0) shape[d] = 1;
    return shape;
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

  /** f(a, b) element by element over the broadcast shape, each operand read at its broadcast offset. */
  static float[] broadcastReference(Tensor a, Tensor b, DoubleBinaryOperator f) {
    int[] shape = Shapes.broadcast(a.shape(), b.shape());
    float[] expected = new float[(int) Shapes.size(shape)];
    for (int i = 0; i < expected.length; i++) {
      int[] index = unravel(i, shape);
      expected[i] = (float) f.applyAsDouble(a.data()[broadcastOffset(index, a.shape())], b.data()[broadcastOffset(index, b.shape())]);
    }
    return expected;
  }
}
