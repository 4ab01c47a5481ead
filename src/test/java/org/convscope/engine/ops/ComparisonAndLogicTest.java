package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.NonDifferentiable;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Comparisons and logic ops: int64 0/1 results, broadcasting, no gradient. */
class ComparisonAndLogicTest {
  private static final Tensor A = tensor(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
  private static final Tensor THREE = Tensor.scalar(3);
  private static final Tensor COLUMN = tensor(new int[] {2, 1}, 2, 5);

  @Test
  void floatComparisonsBroadcast() {
    int[] shape = {2, 3};
    assertLongs(shape, new long[] {0, 0, 1, 0, 0, 0}, run(create("Equal", 2), A, THREE));
    assertLongs(shape, new long[] {1, 1, 0, 0, 0, 0}, run(create("Less", 2), A, THREE));
    assertLongs(shape, new long[] {0, 0, 0, 1, 1, 1}, run(create("Greater", 2), A, THREE));
    assertLongs(shape, new long[] {1, 1, 1, 0, 0, 0}, run(create("LessOrEqual", 2), A, THREE));
    assertLongs(shape, new long[] {0, 0, 1, 1, 1, 1}, run(create("GreaterOrEqual", 2), A, THREE));
    assertLongs(shape, new long[] {1, 1, 0, 1, 1, 0}, run(create("LessOrEqual", 2), A, COLUMN));
    assertLongs(shape, new long[] {0, 1, 0, 0, 1, 0}, run(create("Equal", 2), A, COLUMN));
  }

  @Test
  void int64ComparisonsAndNaN() {
    Tensor a = Tensor.ofLongs(new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1}, 2);
    Tensor b = Tensor.ofLongs(new long[] {Long.MAX_VALUE}, 1);
    assertLongs(new int[] {2}, new long[] {1, 0}, run(create("Equal", 2), a, b));
    assertLongs(new int[] {2}, new long[] {0, 1}, run(create("Less", 2), a, b));
    Tensor nan = tensor(new int[] {1}, Float.NaN);
    assertLongs(new int[] {1}, new long[] {0}, run(create("Equal", 2), nan, nan));
    assertLongs(new int[] {1}, new long[] {0}, run(create("GreaterOrEqual", 2), nan, nan));
    assertThrows(IllegalArgumentException.class, () -> run(create("Less", 2), a, THREE));
  }

  @Test
  void logicOnBoolsHeldAsInt64() {
    Tensor p = Tensor.ofLongs(new long[] {0, 0, 1, 1}, 2, 2);
    Tensor q = Tensor.ofLongs(new long[] {0, 1, 0, 1}, 2, 2);
    int[] shape = {2, 2};
    assertLongs(shape, new long[] {0, 0, 0, 1}, run(create("And", 2), p, q));
    assertLongs(shape, new long[] {0, 1, 1, 1}, run(create("Or", 2), p, q));
    assertLongs(shape, new long[] {0, 1, 1, 0}, run(create("Xor", 2), p, q));
    assertLongs(shape, new long[] {1, 1, 0, 0}, run(create("Not", 1), p));
    Tensor row = Tensor.ofLongs(new long[] {1, 0}, 2);
    assertLongs(shape, new long[] {0, 0, 1, 0}, run(create("And", 2), p, row));
  }

  @Test
  void carryNoGradient() {
    for (String type : new String[] {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"}) {
      assertInstanceOf(NonDifferentiable.class, create(type, 2), type);
    }
    assertInstanceOf(NonDifferentiable.class, create("Not", 1));
    assertInstanceOf(NonDifferentiable.class, create("Range", 3));
  }
}
