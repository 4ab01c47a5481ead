package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.assertShape;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EinsumTest {
  private static final Tensor A = OpTesting.arange(2, 3);
  private static final Tensor B = OpTesting.arange(3, 2);

  private static Op einsum(String equation, int inputs) {
    return PointwiseFixtures.create("Einsum", 12, inputs, Map.of("equation", equation));
  }

  @Test
  void matrixProductTransposeAndSums() {
    Tensor y = run(einsum("ij,jk->ik", 2), A, B);
    assertShape(new int[] {2, 2}, y);
    assertClose(new float[] {10, 13, 28, 40}, y, 0);
    assertClose(new float[] {0, 3, 1, 4, 2, 5}, run(einsum("ij->ji", 1), A), 0);
    assertClose(new float[] {3, 12}, run(einsum("ij->i", 1), A), 0);
    assertClose(new float[] {15}, run(einsum("ij->", 1), A), 0);
    // Implicit output: the letters used once, alphabetically; spaces are ignored.
    assertClose(new float[] {10, 13, 28, 40}, run(einsum("i j , j k", 2), A, B), 0);
    assertClose(new float[] {0, 3, 1, 4, 2, 5}, run(einsum("ba", 1), A), 0);
  }

  @Test
  void diagonalsAndTraces() {
    Tensor square = OpTesting.arange(3, 3);
    assertClose(new float[] {0, 4, 8}, run(einsum("ii->i", 1), square), 0);
    assertClose(new float[] {12}, run(einsum("ii", 1), square), 0);
  }

  @Test
  void ellipsisAxesBroadcast() {
    Tensor batch = OpTesting.arange(2, 1, 2, 3);
    Tensor y = run(einsum("...ij,jk->...ik", 2), batch, B);
    assertShape(new int[] {2, 1, 2, 2}, y);
    Tensor left = OpTesting.arange(4, 1, 3);
    Tensor right = OpTesting.arange(5, 3, 2);
    assertShape(new int[] {4, 5, 1, 2}, run(einsum("...ij,...jk->...ik", 2), left.reshape(4, 1, 1, 3), right));
    // A size-1 axis broadcasts against its label's size.
    assertClose(new float[] {3, 4, 5, 3, 4, 5}, run(einsum("ij,ij->ij", 2), Tensor.full(1, 2, 3), tensor(new int[] {1, 3}, 3, 4, 5)), 0);
  }

  @Test
  void attentionAsMaxVitWritesIt() {
    Tensor q = GradCheck.randn(1, 0, 1, 2, 3, 4, 5);
    Tensor k = GradCheck.randn(2, 0, 1, 2, 3, 6, 5);
    Tensor scores = run(einsum("B G H I D, B G H J D -> B G H I J", 2), q, k);
    assertShape(new int[] {1, 2, 3, 4, 6}, scores);
    float expected = 0;
    for (int d = 0; d < 5; d++) expected += q.get(0, 1, 2, 3, d) * k.get(0, 1, 2, 5, d);
    assertClose(new float[] {expected}, Tensor.of(new float[] {scores.get(0, 1, 2, 3, 5)}, 1), 1e-5);
  }

  @Test
  void gradients() {
    GradCheck.check(einsum("bgid,bgjd->bgij", 2), GradCheck.randn(1, 0, 2, 3, 4, 5), GradCheck.randn(2, 0, 2, 3, 6, 5));
    GradCheck.check(einsum("bij,bjd->bid", 2), GradCheck.randn(3, 0, 2, 4, 6), GradCheck.randn(4, 0, 2, 6, 5));
    GradCheck.check(einsum("ii->i", 1), GradCheck.randn(5, 0, 4, 4));
    GradCheck.check(einsum("ij,ij->i", 2), GradCheck.randn(6, 0, 3, 5), GradCheck.randn(7, 0, 1, 5));
    GradCheck.check(einsum("...j,jk,k->...", 3), GradCheck.randn(8, 0, 2, 3, 4), GradCheck.randn(9, 0, 4, 5),
        GradCheck.randn(10, 0, 5));
  }

  @Test
  void rejectsBadEquations() {
    assertThrows(InvalidModelException.class, () -> einsum("ij,jk->ik", 1));
    assertThrows(InvalidModelException.class, () -> einsum("i1->i", 1));
    assertThrows(InvalidModelException.class, () -> einsum("ij->ii", 1));
    assertThrows(InvalidModelException.class, () -> einsum("ij->i->j", 1));
    assertThrows(IllegalArgumentException.class, () -> run(einsum("ijk->i", 1), A));
    assertThrows(IllegalArgumentException.class, () -> run(einsum("ij,jk->ik", 2), A, A));
  }
}
