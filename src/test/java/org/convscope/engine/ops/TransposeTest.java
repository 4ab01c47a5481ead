package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.arange;
import static org.convscope.engine.ops.OpTesting.arangeLongs;
import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.OpTesting.assertRejected;
import static org.convscope.engine.ops.OpTesting.assertTensor;
import static org.convscope.engine.ops.OpTesting.create;
import static org.convscope.engine.ops.OpTesting.floats;
import static org.convscope.engine.ops.OpTesting.longs;
import static org.convscope.engine.ops.OpTesting.run;
import static org.convscope.engine.ops.OpTesting.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TransposeTest {
  @Test
  void matrixByHand() {
    // [[0 1 2] [3 4 5]] transposed
    assertTensor(shape(3, 2), floats(0, 3, 1, 4, 2, 5), run(create("Transpose", 13, 1, 1), arange(2, 3))[0]);
    assertLongs(shape(3, 2), longs(0, 3, 1, 4, 2, 5), run(new Transpose(new int[] {1, 0}), arangeLongs(2, 3))[0]);
  }

  @Test
  void permutationMovesEveryElement() {
    Tensor x = arange(2, 3, 4, 5);
    int[] perm = {2, 0, 3, 1};
    Tensor y = run(create("Transpose", 13, 1, 1, "perm", longs(2, 0, 3, 1)), x)[0];
    assertEquals(4, y.rank());
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 3; b++) {
        for (int c = 0; c < 4; c++) {
          for (int d = 0; d < 5; d++) {
            int[] in = {a, b, c, d};
            assertEquals(x.get(in), y.get(in[perm[0]], in[perm[1]], in[perm[2]], in[perm[3]]));
          }
        }
      }
    }
  }

  @Test
  void defaultReversesTheAxes() {
    Tensor y = run(new Transpose(null), arange(2, 3, 4))[0];
    assertEquals(arange(2, 3, 4).get(1, 2, 3), y.get(3, 2, 1));
  }

  @Test
  void badPermutations() {
    assertRejected("not a permutation", "Transpose", 13, 1, 1, "perm", longs(0, 0, 1));
    Op transpose = new Transpose(new int[] {1, 0});
    assertThrows(IllegalArgumentException.class, () -> run(transpose, arange(2, 3, 4)));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    GradCheck.check(new Transpose(new int[] {2, 0, 3, 1}), GradCheck.randn(2, 0, 3, 1, 5, 2));
    GradCheck.check(new Transpose(null), GradCheck.randn(3, 0, 7, 3));
  }
}
