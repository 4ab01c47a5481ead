package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.arange;
import static org.convscope.engine.ops.OpTesting.arangeLongs;
import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.OpTesting.assertRejected;
import static org.convscope.engine.ops.OpTesting.create;
import static org.convscope.engine.ops.OpTesting.longs;
import static org.convscope.engine.ops.OpTesting.run;
import static org.convscope.engine.ops.OpTesting.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Flatten, Reshape, Squeeze and Unsqueeze: shapes by hand, data unchanged, gradients by finite differences. */
class ReshapingOpsTest {
  private static final Tensor X = arange(2, 3, 4);

  private static int[] shapeOf(Op op, Tensor... inputs) {
    Tensor y = run(op, inputs)[0];
    assertArrayEquals(inputs[0].data(), y.data(), "reshaping keeps the data in order");
    return y.shape();
  }

  @Test
  void flattenSplitsTheAxesAtAxis() {
    assertArrayEquals(shape(2, 12), shapeOf(create("Flatten", 13, 1, 1), X));
    assertArrayEquals(shape(1, 24), shapeOf(create("Flatten", 13, 1, 1, "axis", 0L), X));
    assertArrayEquals(shape(24, 1), shapeOf(create("Flatten", 13, 1, 1, "axis", 3L), X));
    assertArrayEquals(shape(6, 4), shapeOf(create("Flatten", 13, 1, 1, "axis", -1L), X));
    assertArrayEquals(shape(1, 24), shapeOf(create("Flatten", 13, 1, 1, "axis", -3L), X));
    assertArrayEquals(shape(0, 12), run(new Flatten(1), Tensor.zeros(0, 3, 4))[0].shape());
    assertThrows(IllegalArgumentException.class, () -> run(new Flatten(4), X));
  }

  @Test
  void reshapeCopiesZerosAndInfersMinusOne() {
    Op reshape = create("Reshape", 13, 2, 1);
    assertArrayEquals(shape(2, 12), shapeOf(reshape, X, Tensor.vector(0, -1)));
    assertArrayEquals(shape(24), shapeOf(reshape, X, Tensor.vector(-1)));
    assertArrayEquals(shape(4, 1, 3, 2), shapeOf(reshape, X, Tensor.vector(4, 1, -1, 2)));
    assertArrayEquals(shape(2, 3, 4), shapeOf(reshape, X, Tensor.vector(0, 0, 0)));
    assertThrows(IllegalArgumentException.class, () -> run(reshape, X, Tensor.vector(-1, -1)));
    assertThrows(IllegalArgumentException.class, () -> run(reshape, X, Tensor.vector(5, -1)));
    assertThrows(IllegalArgumentException.class, () -> run(reshape, X, Tensor.vector(2, 3)));
  }

  @Test
  void reshapeWithAllowZeroTakesZeroLiterally() {
    Tensor empty = Tensor.zeros(0, 3);
    assertArrayEquals(shape(3, 0), run(create("Reshape", 14, 2, 1, "allowzero", 1L), empty, Tensor.vector(3, 0))[0].shape());
    // Without allowzero the 0 copies the input's 3, and 0 values cannot fill [3, 3].
    assertThrows(IllegalArgumentException.class, () -> run(create("Reshape", 14, 2, 1), empty, Tensor.vector(3, 0)));
  }

  @Test
  void squeezeRemovesGivenOrAllUnitAxes() {
    Tensor x = Tensor.zeros(1, 3, 1, 2);
    assertArrayEquals(shape(3, 2), run(create("Squeeze", 11, 1, 1), x)[0].shape());
    assertArrayEquals(shape(1, 3, 2), run(create("Squeeze", 11, 1, 1, "axes", longs(-2)), x)[0].shape());
    assertArrayEquals(shape(3, 1, 2), run(create("Squeeze", 13, 2, 1), x, Tensor.vector(0))[0].shape());
    assertArrayEquals(shape(3, 2), run(create("Squeeze", 13, 1, 1), x)[0].shape());
    assertThrows(IllegalArgumentException.class, () -> run(create("Squeeze", 13, 2, 1), x, Tensor.vector(1)));
  }

  @Test
  void unsqueezeInsertsAxesOfTheOutputInAnyOrder() {
    Tensor x = Tensor.zeros(3, 4);
    assertArrayEquals(shape(1, 3, 4), run(create("Unsqueeze", 11, 1, 1, "axes", longs(0)), x)[0].shape());
    assertArrayEquals(shape(3, 1, 4, 1), run(create("Unsqueeze", 13, 2, 1), x, Tensor.vector(-1, 1))[0].shape());
    assertArrayEquals(shape(1, 3, 1, 4, 1), run(create("Unsqueeze", 13, 2, 1), x, Tensor.vector(4, 0, 2))[0].shape());
    assertThrows(IllegalArgumentException.class, () -> run(create("Unsqueeze", 13, 2, 1), x, Tensor.vector(1, -3)));
    // A scalar becomes a vector: PyTorch's shape subgraphs do this to Gather's output.
    assertLongs(shape(1), longs(7), run(create("Unsqueeze", 13, 2, 1), Tensor.ofLongs(longs(7)), Tensor.vector(0))[0]);
  }

  @Test
  void int64TensorsReshapeToo() {
    assertLongs(shape(2, 3), longs(0, 1, 2, 3, 4, 5), run(create("Reshape", 13, 2, 1), arangeLongs(6), Tensor.vector(2, -1))[0]);
    assertLongs(shape(6, 1), longs(0, 1, 2, 3, 4, 5), run(new Flatten(-1), arangeLongs(2, 3, 1))[0]);
  }

  @Test
  void axesMustBeWhereTheOpsetPutsThem() {
    assertRejected("since opset 13 the axes are an input", "Squeeze", 13, 1, 1, "axes", longs(0));
    assertRejected("axes input is missing", "Unsqueeze", 13, 1, 1);
    assertRejected("axes attribute is missing", "Unsqueeze", 11, 1, 1);
    assertRejected("target shape input is missing", "Reshape", 13, 1, 1);
  }

  @Test
  void gradientsAreTheOutputGradientReshaped() {
    Tensor x = GradCheck.randn(1, 0, 3, 1, 5, 1);
    GradCheck.check(create("Flatten", 13, 1, 1, "axis", -2L), x);
    GradCheck.check(create("Reshape", 13, 2, 1), x, Tensor.vector(5, 0, -1));
    GradCheck.check(create("Squeeze", 13, 2, 1), x, Tensor.vector(-1, 1));
    GradCheck.check(create("Unsqueeze", 13, 2, 1), x, Tensor.vector(-1, 0));
  }
}
