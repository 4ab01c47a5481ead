package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.convscope.engine.ops.PointwiseFixtures.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GemmTest {
  private static final int M = 3;
  private static final int K = 5;
  private static final int N = 4;
  private static final int[][] BIAS_SHAPES = {{M, N}, {N}, {1, N}, {M, 1}, {}, {1}};

  private static Op gemm(float alpha, float beta, int transA, int transB, int inputs) {
    return create("Gemm", 13, inputs, Map.of("alpha", alpha, "beta", beta, "transA", (long) transA, "transB", (long) transB));
  }

  private static Tensor a(int transA, long seed) {
    return transA == 1 ? GradCheck.randn(seed, 0, K, M) : GradCheck.randn(seed, 0, M, K);
  }

  private static Tensor b(int transB, long seed) {
    return transB == 1 ? GradCheck.randn(seed, 0, N, K) : GradCheck.randn(seed, 0, K, N);
  }

  @Test
  void linearLayerByHand() {
    // y = x W^T + b, as PyTorch exports nn.Linear.
    Tensor x = tensor(new int[] {1, 2}, 1, 2);
    Tensor w = tensor(new int[] {3, 2}, 1, 0, 0, 1, 1, 1);
    Tensor bias = tensor(new int[] {3}, 10, 20, 30);
    assertArrayEquals(new float[] {11, 22, 33}, run(gemm(1, 1, 0, 1, 3), x, w, bias).data());
    assertArrayEquals(new float[] {7, 14, 21}, run(gemm(2, 0.5f, 0, 1, 3), x, w, bias).data());
  }

  @Test
  void matchesTheDefinitionForEveryTransposeAndBias() {
    for (int transA = 0; transA < 2; transA++) {
      for (int transB = 0; transB < 2; transB++) {
        for (int[] biasShape : BIAS_SHAPES) {
          Tensor a = a(transA, 1);
          Tensor b = b(transB, 2);
          Tensor c = uniform(3, -1, 1, biasShape);
          Tensor y = run(gemm(0.7f, 1.3f, transA, transB, 3), a, b, c);
          assertArrayEquals(new int[] {M, N}, y.shape());
          assertClose(reference(a, transA, b, transB, c, 0.7f, 1.3f), y, 1e-5);
        }
        Tensor a = a(transA, 1);
        Tensor b = b(transB, 2);
        assertClose(reference(a, transA, b, transB, null, 0.7f, 0), run(gemm(0.7f, 1, transA, transB, 2), a, b), 1e-5);
      }
    }
  }

  @Test
  void largeLinearLayerMatchesTheProductInDouble() {
    // Large enough for oneDNN, at batch 8 and 1; 515 is not a multiple of any vector width.
    int m = 8;
    int n = 1024;
    int k = 515;
    Tensor x = uniform(7, -1, 1, m, k);
    Tensor w = uniform(8, -1, 1, n, k);
    Tensor bias = uniform(9, -1, 1, n);
    float[] expected = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = bias.data()[j];
        for (int p = 0; p < k; p++) s += (double) x.data()[i * k + p] * w.data()[j * k + p];
        expected[i * n + j] = (float) s;
      }
    }
    Tensor y = run(gemm(1, 1, 0, 1, 3), x, w, bias);
    assertClose(expected, y, 1e-4);
    for (int i = 0; i < m; i++) {
      Tensor row = Tensor.of(java.util.Arrays.copyOfRange(x.data(), i * k, (i + 1) * k), 1, k);
      assertClose(java.util.Arrays.copyOfRange(expected, i * n, (i + 1) * n), run(gemm(1, 1, 0, 1, 3), row, w, bias),
          1e-4);
    }
  }

  @Test
  void javaKernelSplitsOneRowOverBsRowsWithTheSameValues() {
    // One row (a classifier at batch 1, when oneDNN is not used) splits B's rows between the cores instead;
    // each entry is the same dot product, so the row is bit for bit the batch's.
    int m = 8;
    int n = 1024;
    int k = 515;
    float[] x = uniform(7, -1, 1, m, k).data();
    float[] w = uniform(8, -1, 1, n, k).data();
    float[] all = new float[m * n];
    MatrixKernels.multiplyAdd(x, 0, false, w, 0, true, all, 0, m, n, k, 1f);
    for (int i = 0; i < m; i++) {
      float[] row = new float[n];
      MatrixKernels.multiplyAdd(x, i * k, false, w, 0, true, row, 0, 1, n, k, 1f);
      assertArrayEquals(java.util.Arrays.copyOfRange(all, i * n, (i + 1) * n), row, "row " + i);
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (int transA = 0; transA < 2; transA++) {
      for (int transB = 0; transB < 2; transB++) {
        for (int[] biasShape : BIAS_SHAPES) {
          GradCheck.check(gemm(0.7f, 1.3f, transA, transB, 3), a(transA, 4), b(transB, 5), GradCheck.randn(6, 0, biasShape));
        }
        GradCheck.check(gemm(1, 1, transA, transB, 2), a(transA, 4), b(transB, 5));
      }
    }
  }

  @Test
  void weightGradientOnlyWhenNeeded() {
    Tensor[] grads = PointwiseFixtures.backward(gemm(1, 1, 0, 1, 3),
        new Tensor[] {a(0, 1), b(1, 2), Tensor.zeros(N)}, Tensor.full(1, M, N), true, false, false);
    assertNull(grads[1]);
    assertNull(grads[2]);
  }

  @Test
  void validatesAttributesAndShapes() {
    assertThrows(InvalidModelException.class, () -> create("Gemm", 13, 2, Map.of("transA", 2L)));
    assertThrows(InvalidModelException.class, () -> create("Gemm", 9, 2, Map.of()), "C is required before opset 11");
    assertThrows(IllegalArgumentException.class, () -> run(gemm(1, 1, 0, 0, 2), Tensor.zeros(2, 3), Tensor.zeros(4, 2)));
    assertThrows(IllegalArgumentException.class,
        () -> run(gemm(1, 1, 0, 0, 3), Tensor.zeros(2, 3), Tensor.zeros(3, 2), Tensor.zeros(3)));
  }

  private static float[] reference(Tensor a, int transA, Tensor b, int transB, Tensor c, float alpha, float beta) {
    float[] y = new float[M * N];
    for (int i = 0; i < M; i++) {
      for (int j = 0; j < N; j++) {
        double s = 0;
        for (int p = 0; p < K; p++) {
          float av = transA == 1 ? a.data()[p * M + i] : a.data()[i * K + p];
          float bv = transB == 1 ? b.data()[j * K + p] : b.data()[p * N + j];
          s += (double) av * bv;
        }
        double bias = c == null ? 0 : c.data()[PointwiseFixtures.broadcastOffset(new int[] {i, j}, c.shape())];
        y[i * N + j] = (float) (alpha * s + beta * bias);
      }
    }
    return y;
  }
}
