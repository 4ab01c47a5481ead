package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Map;
import org.convscope.engine.Attributes;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/** Helpers shared by the convolution tests: node specs from attribute lists, and float comparisons. */
final class ConvTesting {
  private ConvTesting() {}

  /** A spec for {@code opType} with attributes given as name, value pairs (int[] and Integer become ONNX ints). */
  static OpSpec spec(String opType, Object... attributes) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < attributes.length; i += 2) {
      Object v = attributes[i + 1];
      if (v instanceof int[] a) {
        long[] l = new long[a.length];
        for (int j = 0; j < a.length; j++) l[j] = a[j];
        v = l;
      } else if (v instanceof Integer n) {
        v = (long) n;
      }
      values.put((String) attributes[i], v);
    }
    return new OpSpec("n1", opType, new Attributes("n1", values), 17, 3, 1);
  }

  static int[] ints(int... v) {
    return v;
  }

  /** Same shape, and values equal within float32 accumulation error. */
  static void assertClose(Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    float[] e = expected.data();
    float[] a = actual.data();
    for (int i = 0; i < e.length; i++) {
      if (Math.abs(e[i] - a[i]) > 1e-4 * (1 + Math.abs(e[i]))) {
        fail("element " + i + ": expected " + e[i] + " but was " + a[i]);
      }
    }
  }
}
