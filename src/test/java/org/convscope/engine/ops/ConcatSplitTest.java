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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ConcatSplitTest {
  private static final Tensor A = Tensor.of(floats(1, 2, 3, 4), 2, 2);
  private static final Tensor B = Tensor.of(floats(5, 6), 2, 1);

  @Test
  void concatByHand() {
    assertTensor(shape(2, 3), floats(1, 2, 5, 3, 4, 6), run(create("Concat", 13, 2, 1, "axis", -1L), A, B)[0]);
    assertTensor(shape(4, 2), floats(1, 2, 3, 4, 1, 2, 3, 4), run(new Concat(0), A, A)[0]);
    assertThrows(IllegalArgumentException.class, () -> run(new Concat(0), A, B));
  }

  @Test
  void concatJoinsShapeVectors() {
    Tensor joined = run(new Concat(0), Tensor.vector(2), Tensor.vector(), Tensor.vector(-1, 7))[0];
    assertLongs(shape(3), longs(2, -1, 7), joined);
    assertThrows(IllegalArgumentException.class, () -> run(new Concat(0), Tensor.vector(2), Tensor.of(floats(1), 1)));
  }

  @Test
  void concatGradientSplitsAndSkipsUnneededInputs() {
    Tensor g = Tensor.of(floats(10, 20, 30, 40, 50, 60), 2, 3);
    Tensor[] grads = new Concat(1).backward(ExecutionContext.inference(), new Tensor[] {A, B}, null,
        new Tensor[] {g}, new boolean[] {false, true});
    assertNull(grads[0]);
    assertTensor(shape(2, 1), floats(30, 60), grads[1]);
    GradCheck.check(new Concat(-2), GradCheck.randn(1, 0, 3, 2, 5), GradCheck.randn(2, 0, 3, 1, 5),
        GradCheck.randn(3, 0, 3, 4, 5));
  }

  @Test
  void splitIntoEqualParts() {
    Tensor[] parts = run(create("Split", 13, 1, 3, "axis", 1L), arange(2, 6));
    assertEquals(3, parts.length);
    assertTensor(shape(2, 2), floats(0, 1, 6, 7), parts[0]);
    assertTensor(shape(2, 2), floats(2, 3, 8, 9), parts[1]);
    assertTensor(shape(2, 2), floats(4, 5, 10, 11), parts[2]);
    assertThrows(IllegalArgumentException.class, () -> run(create("Split", 13, 1, 4), arange(7)));
  }

  @Test
  void splitSizesFromAttributeOrInput() {
    Tensor[] fromAttribute = run(create("Split", 11, 1, 2, "axis", -1L, "split", longs(1, 3)), arange(4));
    assertTensor(shape(1), floats(0), fromAttribute[0]);
    assertTensor(shape(3), floats(1, 2, 3), fromAttribute[1]);
    Tensor[] fromInput = run(create("Split", 13, 2, 3), arange(5, 1), Tensor.vector(2, 0, 3));
    assertTensor(shape(2, 1), floats(0, 1), fromInput[0]);
    assertTensor(shape(0, 1), floats(), fromInput[1]);
    assertTensor(shape(3, 1), floats(2, 3, 4), fromInput[2]);
    assertThrows(IllegalArgumentException.class, () -> run(create("Split", 13, 2, 2), arange(5), Tensor.vector(2, 2)));
  }

  @Test
  void splitOpset18MakesTheLastPartSmaller() {
    Tensor[] parts = run(create("Split", 18, 1, 3, "num_outputs", 3L), arange(7));
    assertTensor(shape(3), floats(0, 1, 2), parts[0]);
    assertTensor(shape(3), floats(3, 4, 5), parts[1]);
    assertTensor(shape(1), floats(6), parts[2]);
  }

  @Test
  void splitArgumentsAreChecked() {
    assertRejected("gives 3 sizes for 2 outputs", "Split", 11, 1, 2, "split", longs(1, 2, 3));
    assertRejected("split sizes are an input", "Split", 13, 1, 2, "split", longs(1, 2));
    assertRejected("num_outputs is 3", "Split", 18, 1, 2, "num_outputs", 3L);
  }

  @Test
  void splitGradientJoins() {
    Op split = create("Split", 13, 2, 3, "axis", 2L);
    GradCheck.check(split, GradCheck.randn(4, 0, 2, 3, 7), Tensor.vector(3, 1, 3));
    Tensor[] grads = gradients(create("Split", 13, 1, 2), new Tensor[] {arange(4)},
        Tensor.of(floats(1, 2), 2), Tensor.of(floats(3, 4), 2));
    assertTensor(shape(4), floats(1, 2, 3, 4), grads[0]);
  }
}
