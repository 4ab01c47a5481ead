package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.arange;
import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.OpTesting.assertTensor;
import static org.convscope.engine.ops.OpTesting.create;
import static org.convscope.engine.ops.OpTesting.floats;
import static org.convscope.engine.ops.OpTesting.gradients;
import static org.convscope.engine.ops.OpTesting.longs;
import static org.convscope.engine.ops.OpTesting.run;
import static org.convscope.engine.ops.OpTesting.shape;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.GradCheck;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GatherTest {
  private static final Tensor M = arange(3, 4); // [[0 1 2 3] [4 5 6 7] [8 9 10 11]]

  @Test
  void rowsAndColumnsByHand() {
    assertTensor(shape(2, 4), floats(8, 9, 10, 11, 0, 1, 2, 3), run(create("Gather", 13, 2, 1), M, Tensor.vector(2, 0))[0]);
    assertTensor(shape(3, 2), floats(3, 1, 7, 5, 11, 9), run(new Gather(1), M, Tensor.vector(-1, 1))[0]);
    assertTensor(shape(3, 1), floats(3, 7, 11), run(new Gather(-1), M, Tensor.vector(3))[0]);
  }

  @Test
  void indexShapeReplacesTheAxis() {
    Tensor indices = Tensor.ofLongs(longs(0, 2, 2, 1), 2, 2);
    Tensor y = run(new Gather(1), M, indices)[0];
    assertTensor(shape(3, 2, 2), floats(0, 2, 2, 1, 4, 6, 6, 5, 8, 10, 10, 9), y);
    // A scalar index drops the axis: how PyTorch reads one dimension of a shape.
    assertLongs(shape(), longs(3), run(new Gather(0), Tensor.vector(1, 3, 224, 224), Tensor.ofLongs(longs(1)))[0]);
  }

  @Test
  void indicesOutOfRangeFail() {
    assertThrows(IndexOutOfBoundsException.class, () -> run(new Gather(0), M, Tensor.vector(3)));
    assertThrows(IndexOutOfBoundsException.class, () -> run(new Gather(0), M, Tensor.vector(-4)));
  }

  @Test
  void gradientAddsUpRepeatedIndices() {
    Tensor[] inputs = {Tensor.of(floats(1, 2, 3), 3), Tensor.vector(2, 0, 2, -1)};
    Tensor[] grads = gradients(new Gather(0), inputs, Tensor.of(floats(1, 10, 100, 1000), 4));
    assertTensor(shape(3), floats(10, 0, 1101), grads[0]);
    assertNull(grads[1]);
    GradCheck.check(new Gather(1), GradCheck.randn(6, 0, 3, 5, 2), Tensor.ofLongs(longs(4, -1, 0, 2, 4, 1), 3, 2));
    GradCheck.check(new Gather(-3), GradCheck.randn(7, 0, 3, 5, 2), Tensor.ofLongs(longs(1)));
  }
}
