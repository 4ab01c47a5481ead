package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SoftmaxTest {
  private static final Tensor X = GradCheck.randn(1, 0, 2, 3, 5);

  private static Op op(String type, int opset, Long axis) {
    return create(type, opset, 1, axis == null ? Map.of() : Map.of("axis", axis));
  }

  @Test
  void byHand() {
    Tensor x = tensor(new int[] {2, 3}, 1, 2, 3, 1000, 1000, 1000);
    double e = Math.exp(1) + Math.exp(2) + Math.exp(3);
    float[] expected = {(float) (Math.exp(1) / e), (float) (Math.exp(2) / e), (float) (Math.exp(3) / e), 1 / 3f, 1 / 3f, 1 / 3f};
    assertClose(expected, run(op("Softmax", 13, null), x), 1e-7);
    float[] logs = new float[6];
    for (int i = 0; i < 6; i++) logs[i] = (float) Math.log(expected[i]);
    assertClose(logs, run(op("LogSoftmax", 13, null), x), 1e-6);
  }

  @Test
  void opset13NormalizesAlongOneAxis() {
    for (long axis = -3; axis < 3; axis++) {
      assertClose(reference(X, (int) axis, false, false), run(op("Softmax", 13, axis), X), 1e-6);
      assertClose(reference(X, (int) axis, false, true), run(op("LogSoftmax", 13, axis), X), 1e-5);
    }
    assertClose(reference(X, 2, false, false), run(op("Softmax", 13, null), X), 1e-6);
  }

  @Test
  void beforeOpset13TheInputIsCoercedTo2d() {
    for (long axis = 0; axis < 3; axis++) {
      assertClose(reference(X, (int) axis, true, false), run(op("Softmax", 11, axis), X), 1e-6);
      assertClose(reference(X, (int) axis, true, true), run(op("LogSoftmax", 11, axis), X), 1e-5);
    }
    // Default axis 1: each of the 2 rows of 15 values sums to one.
    float[] y = run(op("Softmax", 11, null), X).data();
    double first = 0;
    for (int i = 0; i < 15; i++) first += y[i];
    assertArrayEquals(new float[] {1}, new float[] {(float) first}, 1e-6f);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (String type : new String[] {"Softmax", "LogSoftmax"}) {
      for (long axis = -1; axis < 3; axis++) {
        GradCheck.check(op(type, 13, axis), X);
        GradCheck.check(op(type, 11, axis), X);
      }
      GradCheck.check(op(type, 13, null), GradCheck.randn(2, 0, 7));
    }
  }

  /** Softmax over lanes defined by hand: explicit exp and sum in double. */
  private static float[] reference(Tensor x, int axis, boolean coerce, boolean log) {
    int[] shape = x.shape();
    int a = axis < 0 ? axis + shape.length : axis;
    int outer = 1;
    for (int d = 0; d < a; d++) outer *= shape[d];
    int n = 1;
    int inner = 1;
    if (coerce) {
      for (int d = a; d < shape.length; d++) n *= shape[d];
    } else {
      n = shape[a];
      for (int d = a + 1; d < shape.length; d++) inner *= shape[d];
    }
    float[] v = x.data();
    float[] y = new float[v.length];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        double sum = 0;
        for (int j = 0; j < n; j++) sum += Math.exp(v[(o * n + j) * inner + i]);
        for (int j = 0; j < n; j++) {
          int at = (o * n + j) * inner + i;
          y[at] = (float) (log ? v[at] - Math.log(sum) : Math.exp(v[at]) / sum);
        }
      }
    }
    return y;
  }
}
