package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Map;
import org.convscope.engine.Attributes;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.engine.OpSpec;
import org.convscope.tensor.Tensor;

/** Helpers shared by the convolution tests: node specs from attribute lists, float comparisons, adjoint checks. */
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

  /**
   * The dot-product test for an op y = f(x, w) + b that is linear in x, in w and in b: for a random dy,
   * {@code <dy, f(x, w)>} must equal both {@code <dx, x>} and {@code <dw, w>}, and {@code <dy, b>} (b
   * broadcast over the output) must equal {@code <db, b>}. Cheaper than finite differences (one backward
   * call instead of one forward per element), so it covers many configurations.
   */
  static void checkAdjoint(Op op, int[] xShape, int[] wShape, int outChannels) {
    ExecutionContext ctx = ExecutionContext.inference();
    Tensor x = GradCheck.randn(31, 0, xShape);
    Tensor w = GradCheck.randn(32, 0, wShape);
    Tensor b = GradCheck.randn(33, 0, outChannels);
    Tensor y = op.forward(ctx, new Tensor[] {x, w})[0];
    Tensor withBias = op.forward(ctx, new Tensor[] {x, w, b})[0];
    Tensor dy = GradCheck.randn(34, 0, y.shape());
    Tensor[] in = {x, w, b};
    Tensor[] grads = op.backward(ctx, in, new Tensor[] {withBias}, new Tensor[] {dy}, new boolean[] {true, true, true});
    double linear = dot(dy, y);
    assertNear("data", linear, dot(grads[0], x), dy, y);
    assertNear("weights", linear, dot(grads[1], w), dy, y);
    assertNear("bias", dot(dy, withBias) - linear, dot(grads[2], b), dy, withBias);
  }

  private static double dot(Tensor a, Tensor b) {
    assertArrayEquals(a.shape(), b.shape(), "shape");
    double sum = 0;
    for (int i = 0; i < a.size(); i++) sum += (double) a.data()[i] * b.data()[i];
    return sum;
  }

  private static void assertNear(String what, double expected, double actual, Tensor dy, Tensor y) {
    double scale = 0;
    for (int i = 0; i < y.size(); i++) scale += Math.abs((double) dy.data()[i] * y.data()[i]);
    if (Math.abs(expected - actual) > 1e-4 * (1 + scale)) {
      fail(what + " gradient fails the adjoint test: " + actual + " instead of " + expected);
    }
  }
}
