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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Shapes;
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

  @Test
  void everyPermutationOfFourAxesMatchesTheDefinition() {
    // Odd sizes, not multiples of the tile; large enough to split over the cores; size-1 axes that drop out.
    int[][] shapes = {{2, 37, 33, 41}, {1, 96, 9, 7}, {3, 1, 70, 5}, {1, 1, 1, 1}, {2, 0, 3, 4}};
    for (int[] shape : shapes) {
      Tensor x = GradCheck.randn(4, 0, shape);
      for (int[] perm : permutations(4)) {
        Tensor y = run(new Transpose(perm), x)[0];
        Tensor expected = naive(x, perm);
        assertArrayEquals(expected.shape(), y.shape());
        assertArrayEquals(expected.data(), y.data(), Arrays.toString(perm) + " of " + Arrays.toString(shape));
      }
    }
  }

  @Test
  void convNextLayoutChangesAtFullSize() {
    // NCHW to NHWC and back around each ConvNeXt block, at batch 2 and the first stage's size.
    Tensor x = GradCheck.randn(5, 0, 2, 96, 56, 56);
    Tensor nhwc = run(new Transpose(new int[] {0, 2, 3, 1}), x)[0];
    assertArrayEquals(naive(x, new int[] {0, 2, 3, 1}).data(), nhwc.data());
    Tensor back = run(new Transpose(new int[] {0, 3, 1, 2}), nhwc)[0];
    assertArrayEquals(x.shape(), back.shape());
    assertArrayEquals(x.data(), back.data());
  }

  @Test
  void higherRanksAndVectors() {
    Tensor x = GradCheck.randn(6, 0, 3, 4, 5, 6, 7);
    for (int[] perm : new int[][] {{4, 3, 2, 1, 0}, {0, 1, 4, 2, 3}, {2, 0, 1, 4, 3}, {0, 1, 2, 3, 4}}) {
      assertArrayEquals(naive(x, perm).data(), run(new Transpose(perm), x)[0].data());
    }
    Tensor v = GradCheck.randn(7, 0, 9);
    assertArrayEquals(v.data(), run(new Transpose(null), v)[0].data());
  }

  @Test
  void gradientIsTheInversePermutation() {
    int[] perm = {0, 2, 3, 1};
    Tensor g = GradCheck.randn(8, 0, 2, 5, 7, 3);
    Tensor x = Tensor.zeros(2, 3, 5, 7);
    Op op = new Transpose(perm);
    ExecutionContext context = ExecutionContext.inference();
    Tensor[] y = op.forward(context, new Tensor[] {x});
    Tensor dx = op.backward(context, new Tensor[] {x}, y, new Tensor[] {g}, new boolean[] {true})[0];
    assertArrayEquals(x.shape(), dx.shape());
    assertArrayEquals(g.data(), naive(dx, perm).data());
    GradCheck.check(new Transpose(new int[] {0, 3, 1, 2}), GradCheck.randn(9, 0, 2, 6, 5, 3));
  }

  /** y[i_perm[0], ..., i_perm[r-1]] = x[i_0, ..., i_r-1], element by element. */
  private static Tensor naive(Tensor x, int[] perm) {
    int[] shape = x.shape();
    int[] outShape = new int[perm.length];
    for (int k = 0; k < perm.length; k++) outShape[k] = shape[perm[k]];
    int[] outStrides = Shapes.strides(outShape);
    float[] out = new float[x.size()];
    int[] index = new int[shape.length];
    for (int i = 0; i < x.size(); i++) {
      int rest = i;
      for (int d = shape.length - 1; d >= 0; d--) {
        index[d] = rest % shape[d];
        rest /= shape[d];
      }
      int o = 0;
      for (int k = 0; k < perm.length; k++) o += index[perm[k]] * outStrides[k];
      out[o] = x.data()[i];
    }
    return Tensor.of(out, outShape);
  }

  private static List<int[]> permutations(int n) {
    List<int[]> all = new ArrayList<>();
    permute(new int[n], new boolean[n], 0, all);
    return all;
  }

  private static void permute(int[] prefix, boolean[] used, int k, List<int[]> all) {
    if (k == prefix.length) {
      all.add(prefix.clone());
      return;
    }
    for (int a = 0; a < prefix.length; a++) {
      if (used[a]) continue;
      used[a] = true;
      prefix[k] = a;
      permute(prefix, used, k + 1, all);
      used[a] = false;
    }
  }
}
