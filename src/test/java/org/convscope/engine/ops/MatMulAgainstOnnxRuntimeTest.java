package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.convscope.Fixtures;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.DType;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * MatMul on products large enough for oneDNN, against ONNX Runtime (forward) and finite differences
 * (backward): numpy's rules for batch broadcasting and 1-D operands, at sizes no vector width divides.
 */
class MatMulAgainstOnnxRuntimeTest {
  private final Op matmul = PointwiseFixtures.create("MatMul", 2);

  /** {a shape, b shape} */
  private static final int[][][] CASES = {
      {{1, 7, 7, 96}, {96, 384}}, // ConvNeXt's Linear layer on channels-last activations, at a smaller image
      {{2, 3, 17, 33}, {33, 19}}, // one b for every batch of a
      {{2, 3, 17, 33}, {1, 1, 33, 19}}, // the same, b's batch dims all 1
      {{2, 3, 17, 33}, {2, 3, 33, 19}}, // batches pair up
      {{2, 1, 17, 33}, {4, 33, 19}}, // each operand broadcast along the other's batches
      {{17, 33}, {3, 33, 19}}, // one a for every batch of b
      {{33}, {2, 33, 150}}, // 1-D a: a row vector, its dimension dropped from the result
      {{5, 17, 333}, {333}}, // 1-D b: a column vector
      {{300}, {300, 40}},
      {{3, 40, 5}, {5, 90}}, // inner dimension smaller than a vector
  };

  @Test
  void everyCaseIsLargeEnoughForOneDnn() {
    for (int[][] c : CASES) {
      assertTrue(MatrixKernels.byDnnl(multiplyAdds(c[0], c[1])), Arrays.deepToString(c));
    }
  }

  @Test
  void forwardMatchesOnnxRuntime() {
    for (int[][] c : CASES) {
      Tensor a = PointwiseFixtures.uniform(1, -1, 1, c[0]);
      Tensor b = PointwiseFixtures.uniform(2, -1, 1, c[1]);
      Tensor expected = OnnxRuntimeReference.run("MatMul", 13, Map.of(), new Tensor[] {a, b}, DType.FLOAT)[0];
      Fixtures.assertClose(expected, PointwiseFixtures.run(matmul, a, b), 1e-5, Arrays.deepToString(c));
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (int[][] c : CASES) {
      GradCheck.check(matmul, GradCheck.randn(5, 0, c[0]), GradCheck.randn(6, 0, c[1]));
    }
  }

  @Test
  void onlyTheGradientsAskedForAreComputed() {
    Tensor a = PointwiseFixtures.uniform(3, -1, 1, 2, 3, 17, 33);
    Tensor b = PointwiseFixtures.uniform(4, -1, 1, 33, 19);
    Tensor g = PointwiseFixtures.uniform(5, -1, 1, 2, 3, 17, 19);
    Tensor[] both = PointwiseFixtures.backward(matmul, new Tensor[] {a, b}, g, true, true);
    Tensor[] first = PointwiseFixtures.backward(matmul, new Tensor[] {a, b}, g, true, false);
    Tensor[] second = PointwiseFixtures.backward(matmul, new Tensor[] {a, b}, g, false, true);
    assertNull(first[1]);
    assertNull(second[0]);
    assertArrayEquals(both[0].data(), first[0].data());
    assertArrayEquals(both[1].data(), second[1].data());
  }

  /** Threads sharing the cached primitives each get the values a lone thread gets. */
  @Test
  void threadsRunningAtOnceGetTheSameValues() throws Exception {
    List<Tensor[]> inputs = new ArrayList<>();
    List<float[]> alone = new ArrayList<>();
    for (int[][] c : CASES) {
      Tensor[] ab = {PointwiseFixtures.uniform(7, -1, 1, c[0]), PointwiseFixtures.uniform(8, -1, 1, c[1])};
      inputs.add(ab);
      alone.add(PointwiseFixtures.run(matmul, ab).data());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        runs.add(pool.submit(() -> {
          for (int round = 0; round < 5; round++) {
            for (int i = 0; i < CASES.length; i++) {
              assertArrayEquals(alone.get(i), PointwiseFixtures.run(matmul, inputs.get(i)).data());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : runs) f.get();
    } finally {
      pool.shutdown();
    }
  }

  private static long multiplyAdds(int[] a, int[] b) {
    int[] as = a.length == 1 ? new int[] {1, a[0]} : a;
    int[] bs = b.length == 1 ? new int[] {b[0], 1} : b;
    int[] batch = Shapes.broadcast(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
    return Shapes.size(batch) * as[as.length - 2] * as[as.length - 1] * bs[bs.length - 1];
  }
}
