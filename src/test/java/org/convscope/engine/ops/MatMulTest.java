package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.convscope.engine.ops.PointwiseFixtures.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MatMulTest {
  private final Op matmul = create("MatMul", 2);

  /** {a shape, b shape, expected result shape} */
  private static final int[][][] CASES = {
      {{3, 4}, {4, 5}, {3, 5}},
      {{4}, {4, 5}, {5}},
      {{3, 4}, {4}, {3}},
      {{4}, {4}, {}},
      {{2, 3, 4}, {4, 5}, {2, 3, 5}},
      {{3, 4}, {2, 4, 5}, {2, 3, 5}},
      {{2, 1, 3, 4}, {5, 4, 2}, {2, 5, 3, 2}},
      {{4}, {2, 4, 5}, {2, 5}},
      {{2, 3, 4}, {4}, {2, 3}},
      {{1, 7}, {7, 1}, {1, 1}},
  };

  @Test
  void byHand() {
    Tensor a = tensor(new int[] {2, 2}, 1, 2, 3, 4);
    Tensor b = tensor(new int[] {2, 2}, 5, 6, 7, 8);
    assertArrayEquals(new float[] {19, 22, 43, 50}, run(matmul, a, b).data());
    assertArrayEquals(new float[] {17, 39}, run(matmul, a, tensor(new int[] {2}, 5, 6)).data());
    assertArrayEquals(new float[] {23, 34}, run(matmul, tensor(new int[] {2}, 5, 6), a).data());
  }

  @Test
  void matchesNaiveProductForEveryRankCombination() {
    for (int[][] c : CASES) {
      Tensor a = uniform(1, -1, 1, c[0]);
      Tensor b = uniform(2, -1, 1, c[1]);
      Tensor y = run(matmul, a, b);
      assertArrayEquals(c[2], y.shape(), Arrays.toString(c[0]) + " x " + Arrays.toString(c[1]));
      assertClose(naive(a, b), y, 1e-5);
    }
  }

  @Test
  void largeProductRunsInParallelWithSameValues() {
    // 8 x 512 x 1024 multiply-adds: large enough for oneDNN.
    Tensor a = uniform(3, -1, 1, 8, 512);
    Tensor b = uniform(4, -1, 1, 512, 1024);
    assertClose(naive(a, b), run(matmul, a, b), 1e-4);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (int[][] c : CASES) {
      GradCheck.check(matmul, GradCheck.randn(5, 0, c[0]), GradCheck.randn(6, 0, c[1]));
    }
  }

  @Test
  void rejectsMismatchedInnerDimensions() {
    assertThrows(IllegalArgumentException.class, () -> run(matmul, Tensor.zeros(2, 3), Tensor.zeros(4, 2)));
    assertThrows(IllegalArgumentException.class, () -> run(matmul, Tensor.zeros(2, 2, 3), Tensor.zeros(3, 3, 2)));
  }

  /** numpy.matmul, by definition, in double. */
  static float[] naive(Tensor a, Tensor b) {
    int[] as = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shape();
    int[] bs = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.shape();
    int m = as[as.length - 2];
    int k = as[as.length - 1];
    int n = bs[bs.length - 1];
    int[] aBatch = Arrays.copyOf(as, as.length - 2);
    int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
    int[] batch = Shapes.broadcast(aBatch, bBatch);
    int batches = (int) Shapes.size(batch);
    float[] out = new float[batches * m * n];
    for (int t = 0; t < batches; t++) {
      int[] index = PointwiseFixtures.unravel(t, batch);
      int ao = PointwiseFixtures.broadcastOffset(index, aBatch) * m * k;
      int bo = PointwiseFixtures.broadcastOffset(index, bBatch) * k * n;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) s += (double) a.data()[ao + i * k + p] * b.data()[bo + p * n + j];
          out[t * m * n + i * n + j] = (float) s;
        }
      }
    }
    return out;
  }
}
