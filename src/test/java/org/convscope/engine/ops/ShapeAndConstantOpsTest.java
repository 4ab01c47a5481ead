package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.arange;
import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.OpTesting.assertRejected;
import static org.convscope.engine.ops.OpTesting.assertTensor;
import static org.convscope.engine.ops.OpTesting.create;
import static org.convscope.engine.ops.OpTesting.floats;
import static org.convscope.engine.ops.OpTesting.gradients;
import static org.convscope.engine.ops.OpTesting.longs;
import static org.convscope.engine.ops.OpTesting.run;
import static org.convscope.engine.ops.OpTesting.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.convscope.engine.GradCheck;
import org.convscope.engine.NonDifferentiable;
import org.convscope.engine.Op;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Shape, Constant, ConstantOfShape, Cast, Identity and Dropout. */
class ShapeAndConstantOpsTest {
  private static final Tensor X = Tensor.zeros(2, 3, 5, 7);

  @Test
  void shapeWithStartAndEnd() {
    assertLongs(shape(4), longs(2, 3, 5, 7), run(create("Shape", 13, 1, 1), X)[0]);
    assertLongs(shape(2), longs(5, 7), run(create("Shape", 15, 1, 1, "start", 2L), X)[0]);
    assertLongs(shape(2), longs(3, 5), run(create("Shape", 15, 1, 1, "start", 1L, "end", -1L), X)[0]);
    assertLongs(shape(4), longs(2, 3, 5, 7), run(create("Shape", 15, 1, 1, "start", -10L, "end", 10L), X)[0]);
    assertLongs(shape(0), longs(), run(create("Shape", 15, 1, 1, "start", 3L, "end", 1L), X)[0]);
    assertLongs(shape(0), longs(), run(create("Shape", 15, 1, 1), Tensor.scalar(1))[0]);
  }

  @Test
  void constantFromEachKindOfAttribute() {
    Tensor value = Tensor.of(floats(1, 2, 3, 4), 2, 2);
    assertSame(value, run(create("Constant", 13, 0, 1, "value", value))[0]);
    assertTensor(shape(), floats(2.5f), run(create("Constant", 13, 0, 1, "value_float", 2.5f))[0]);
    assertTensor(shape(2), floats(1, -1), run(create("Constant", 13, 0, 1, "value_floats", floats(1, -1)))[0]);
    assertLongs(shape(), longs(7), run(create("Constant", 13, 0, 1, "value_int", 7L))[0]);
    assertLongs(shape(3), longs(1, -1, 0), run(create("Constant", 13, 0, 1, "value_ints", longs(1, -1, 0)))[0]);
  }

  @Test
  void constantNeedsExactlyOneNumericValue() {
    assertRejected("exactly one value attribute", "Constant", 13, 0, 1);
    assertRejected("exactly one value attribute", "Constant", 13, 0, 1, "value_int", 1L, "value_float", 1f);
    assertRejected("'value_string' is not supported", "Constant", 13, 0, 1, "value_string", "hello");
  }

  @Test
  void constantOfShape() {
    assertTensor(shape(2, 3), floats(0, 0, 0, 0, 0, 0), run(create("ConstantOfShape", 13, 1, 1), Tensor.vector(2, 3))[0]);
    Tensor ones = run(create("ConstantOfShape", 13, 1, 1, "value", Tensor.of(floats(1), 1)), Tensor.vector(3))[0];
    assertTensor(shape(3), floats(1, 1, 1), ones);
    assertLongs(shape(0, 2), longs(), run(create("ConstantOfShape", 13, 1, 1, "value", Tensor.ofLongs(longs(5), 1)),
        Tensor.vector(0, 2))[0]);
    assertLongs(shape(), longs(5), run(create("ConstantOfShape", 13, 1, 1, "value", Tensor.ofLongs(longs(5), 1)),
        Tensor.vector())[0]);
    assertRejected("exactly one element", "ConstantOfShape", 13, 1, 1, "value", Tensor.of(floats(1, 2), 2));
  }

  @Test
  void castBetweenFloatAndInt64() {
    Op toInt = create("Cast", 13, 1, 1, "to", 7L);
    assertInstanceOf(NonDifferentiable.class, toInt);
    assertLongs(shape(4), longs(2, -2, 0, 3), run(toInt, Tensor.of(floats(2.7f, -2.7f, -0.5f, 3), 4))[0]);
    Op toFloat = create("Cast", 13, 1, 1, "to", 1L);
    assertTensor(shape(2), floats(3, -1), run(toFloat, Tensor.vector(3, -1))[0]);
    Tensor x = GradCheck.randn(9, 0, 3, 2);
    assertSame(x, run(toFloat, x)[0]);
    GradCheck.check(toFloat, x);
    assertRejected("casting to DOUBLE is not supported", "Cast", 13, 1, 1, "to", 11L);
    assertRejected("casting to FLOAT16 is not supported", "Cast", 13, 1, 1, "to", 10L);
  }

  @Test
  void identityPassesValuesAndGradients() {
    Op identity = create("Identity", 13, 1, 1);
    Tensor x = GradCheck.randn(10, 0, 4, 3);
    assertSame(x, run(identity, x)[0]);
    GradCheck.check(identity, x);
  }

  @Test
  void dropoutIsTheIdentityWithAFullMask() {
    Tensor x = arange(2, 3);
    Tensor[] opset13 = run(create("Dropout", 13, 3, 2), x, Tensor.scalar(0.5f), Tensor.ofLongs(longs(1)));
    assertSame(x, opset13[0]);
    assertLongs(shape(2, 3), longs(1, 1, 1, 1, 1, 1), opset13[1]);
    Tensor[] opset7 = run(create("Dropout", 7, 1, 2, "ratio", 0.3f), x);
    assertEquals(DType.FLOAT, opset7[1].dtype());
    assertTensor(shape(2, 3), floats(1, 1, 1, 1, 1, 1), opset7[1]);
    assertEquals(1, run(create("Dropout", 13, 1, 1), x).length);

    Op dropout = create("Dropout", 13, 2, 1);
    Tensor[] grads = gradients(dropout, new Tensor[] {x, Tensor.scalar(0.5f)}, Tensor.of(floats(1, 2, 3, 4, 5, 6), 2, 3));
    assertTensor(shape(2, 3), floats(1, 2, 3, 4, 5, 6), grads[0]);
    assertNull(grads[1]);
  }
}
