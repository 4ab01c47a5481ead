package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.arange;
import static org.convscope.engine.ops.OpTesting.arangeLongs;
import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.OpTesting.assertRejected;
import static org.convscope.engine.ops.OpTesting.assertTensor;
import static org.convscope.engine.ops.OpTesting.create;
import static org.convscope.engine.ops.OpTesting.floats;
import static org.convscope.engine.ops.OpTesting.gradients;
import static org.convscope.engine.ops.OpTesting.longs;
import static org.convscope.engine.ops.OpTesting.run;
import static org.convscope.engine.ops.OpTesting.shape;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Expected values are Python's slices of range(10) and of a 3x4 matrix. */
class SliceTest {
  private static final Op SLICE = create("Slice", 13, 5, 1);
  private static final Tensor X = arange(10);

  private static Tensor slice(Tensor x, long[] starts, long[] ends, long[] axes, long[] steps) {
    return run(SLICE, x, Tensor.vector(starts), Tensor.vector(ends), axes == null ? null : Tensor.vector(axes),
        steps == null ? null : Tensor.vector(steps))[0];
  }

  @Test
  void pythonSlicesOfAVector() {
    assertTensor(shape(2), floats(2, 5), slice(X, longs(2), longs(8), null, longs(3)));          // [2:8:3]
    assertTensor(shape(2), floats(8, 9), slice(X, longs(8), longs(Long.MAX_VALUE), null, null)); // [8:]
    assertTensor(shape(3), floats(7, 8, 9), slice(X, longs(-3), longs(100), null, null));       // [-3:]
    assertTensor(shape(0), floats(), slice(X, longs(5), longs(2), null, null));                 // [5:2]
    assertTensor(shape(0), floats(), slice(X, longs(20), longs(30), null, null));               // [20:30]
  }

  @Test
  void negativeStepsWalkBackwards() {
    assertTensor(shape(5), floats(9, 7, 5, 3, 1), slice(X, longs(-1), longs(Long.MIN_VALUE), longs(0), longs(-2))); // [::-2]
    assertTensor(shape(4), floats(9, 8, 7, 6), slice(X, longs(100), longs(5), null, longs(-1)));  // [100:5:-1]
    assertTensor(shape(3), floats(2, 1, 0), slice(X, longs(2), longs(-100), null, longs(-1)));   // [2:-100:-1]
    assertTensor(shape(0), floats(), slice(X, longs(2), longs(5), null, longs(-1)));             // [2:5:-1]
  }

  @Test
  void axesInAnyOrderAndNegative() {
    Tensor m = arange(3, 4); // [[0 1 2 3] [4 5 6 7] [8 9 10 11]]
    // m[1:, ::-2]
    assertTensor(shape(2, 2), floats(7, 5, 11, 9), slice(m, longs(-1, 1), longs(Long.MIN_VALUE, 3), longs(-1, 0), longs(-2, 1)));
    assertThrows(IllegalArgumentException.class, () -> slice(m, longs(0, 0), longs(1, 1), longs(1, -1), null));
    assertThrows(IllegalArgumentException.class, () -> slice(m, longs(0), longs(1), null, longs(0)));
  }

  @Test
  void int64SlicesForShapeArithmetic() {
    // shape[2:] of an NCHW shape
    assertLongs(shape(2), longs(224, 224), run(SLICE, Tensor.vector(1, 3, 224, 224), Tensor.vector(2),
        Tensor.vector(Long.MAX_VALUE))[0]);
    assertLongs(shape(2, 1), longs(4, 8), slice(arangeLongs(3, 4), longs(1, 0), longs(3, 1), null, null));
  }

  @Test
  void opset9TakesAttributes() {
    Op old = create("Slice", 9, 1, 1, "starts", longs(1, -2), "ends", longs(3, 1000), "axes", longs(0, 1));
    assertTensor(shape(2, 2), floats(6, 7, 10, 11), run(old, arange(3, 4))[0]);
    assertRejected("starts and ends attributes are required", "Slice", 9, 1, 1, "starts", longs(1));
    assertRejected("since opset 10 starts and ends are inputs", "Slice", 10, 3, 1, "starts", longs(1), "ends", longs(2));
  }

  @Test
  void gradientScattersIntoTheSlicedElements() {
    Tensor[] inputs = {X, Tensor.vector(1), Tensor.vector(8), null, Tensor.vector(3)};
    Tensor dx = gradients(SLICE, inputs, Tensor.of(floats(1, 2, 3), 3))[0];
    assertTensor(shape(10), floats(0, 1, 0, 0, 2, 0, 0, 3, 0, 0), dx);
    GradCheck.check(SLICE, GradCheck.randn(5, 0, 5, 4, 7), Tensor.vector(4, -1, 1), Tensor.vector(0, -100, 7),
        Tensor.vector(0, 1, 2), Tensor.vector(-2, -1, 2));
  }
}
