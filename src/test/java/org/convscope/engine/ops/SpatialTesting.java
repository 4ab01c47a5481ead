package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.convscope.engine.Attributes;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/** Helpers shared by the tests of the pooling, normalization and resizing ops. */
final class SpatialTesting {
  private SpatialTesting() {}

  /** Attributes from alternating names and values (long, float, String, long[], float[]). */
  static Map<String, Object> attrs(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      Object v = pairs[i + 1];
      if (v instanceof Integer n) v = n.longValue();
      if (v instanceof Double d) v = d.floatValue();
      if (v instanceof int[] a) v = Arrays.stream(a).asLongStream().toArray();
      map.put((String) pairs[i], v);
    }
    return map;
  }

  static OpSpec spec(String opType, int opset, int inputs, int outputs, Map<String, Object> attributes) {
    return new OpSpec("node", opType, new Attributes("node", attributes), opset, inputs, outputs);
  }

  /** The op the standard registry builds for one node. */
  static Op op(String opType, int opset, int inputs, int outputs, Object... attributePairs) {
    return StandardOps.registry().create(spec(opType, opset, inputs, outputs, attrs(attributePairs)));
  }

  static Tensor[] run(Op op, Tensor... inputs) {
    return op.forward(ExecutionContext.inference(), inputs);
  }

  /** A float tensor holding 1, 2, 3, ... in row-major order. */
  static Tensor iota(int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = i + 1;
    return t;
  }

  /**
   * A tensor of distinct values, at least 0.1 apart, in random order: max pooling's choices then survive the
   * finite-difference steps of GradCheck.
   */
  static Tensor distinct(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = 0.1f * (i - d.length / 2);
    Random r = new Random(seed);
    for (int i = d.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      float tmp = d[i];
      d[i] = d[j];
      d[j] = tmp;
    }
    return t;
  }

  static void assertClose(float[] expected, float[] actual, double tolerance) {
    assertEquals(expected.length, actual.length, "number of values");
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.max(1, Math.abs(expected[i]));
      if (!(Math.abs(expected[i] - actual[i]) <= tolerance * scale)) {
        fail("value " + i + ": expected " + expected[i] + " but was " + actual[i] + "\nexpected " + Arrays.toString(expected)
            + "\nactual   " + Arrays.toString(actual));
      }
    }
  }

  static void assertShape(int[] expected, Tensor t) {
    if (!Arrays.equals(expected, t.shape())) {
      fail("expected shape " + Arrays.toString(expected) + " but was " + Arrays.toString(t.shape()));
    }
  }
}
