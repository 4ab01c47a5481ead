package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.broadcastOffset;
import static org.convscope.engine.ops.PointwiseFixtures.unravel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleBinaryOperator;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.engine.Parallel;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Add, Sub, Mul, Div, Pow and ReduceMean on the broadcast patterns of current CNNs, on odd sizes below and
 * above {@link Parallel#ELEMENTWISE_GRAIN} (so split across cores), against element-by-element references
 * written here: forward to the bit, gradients against sums in double and finite differences, and sums in the
 * order they are documented to take, to the bit, which makes them independent of how the work is split.
 */
class BroadcastFastPathsTest {
  /** Pairs of operand shapes: small, then large enough to be split across cores. */
  private static final int[][][] PAIRS = {
      // Per channel: squeeze-excitation and layer scale.
      {{2, 5, 3, 7}, {2, 5, 1, 1}}, {{2, 9, 61, 67}, {2, 9, 1, 1}},
      {{1, 5, 3, 7}, {1, 5, 1, 1}}, {{1, 17, 61, 67}, {1, 17, 1, 1}},
      {{2, 5, 3, 7}, {5, 1, 1}}, {{5, 9, 41, 43}, {9, 1, 1}},
      // Last axis: LayerNorm's weight and bias.
      {{1, 3, 5, 7}, {7}}, {{1, 61, 59, 19}, {19}},
      // Last axis kept as 1: LayerNorm's mean and deviation.
      {{1, 3, 5, 7}, {1, 3, 5, 1}}, {{1, 61, 59, 19}, {1, 61, 59, 1}},
      // Equal shapes and a scalar.
      {{3, 5, 7}, {3, 5, 7}}, {{7, 101, 113}, {7, 101, 113}},
      {{3, 5, 7}, {}}, {{7, 101, 113}, {1}},
      // Kept dimensions on both sides of a broadcast one.
      {{3, 5, 7}, {3, 1, 7}}, {{59, 29, 41}, {59, 1, 41}},
  };

  static {
    for (int i = 1; i < PAIRS.length; i += 2) {
      if (Shapes.size(PAIRS[i][0]) <= 2L * Parallel.ELEMENTWISE_GRAIN) throw new AssertionError("too small to split");
    }
  }

  @Test
  void forwardMatchesElementByElement() {
    for (int[][] pair : PAIRS) {
      for (boolean swap : new boolean[] {false, true}) {
        Tensor a = GradCheck.randn(1, 0, swap ? pair[1] : pair[0]);
        Tensor b = GradCheck.randn(2, 0.3, swap ? pair[0] : pair[1]);
        checkForward(new Add(), a, b, (x, y) -> (float) x + (float) y);
        checkForward(new Sub(), a, b, (x, y) -> (float) x - (float) y);
        checkForward(new Mul(), a, b, (x, y) -> (float) x * (float) y);
        checkForward(new Div(), a, b, (x, y) -> (float) x / (float) y);
      }
    }
  }

  private static void checkForward(Op op, Tensor a, Tensor b, DoubleBinaryOperator f) {
    Tensor y = PointwiseFixtures.run(op, a, b);
    assertArrayEquals(Shapes.broadcast(a.shape(), b.shape()), y.shape());
    assertArrayEquals(PointwiseFixtures.broadcastReference(a, b, f), y.data(),
        op.getClass().getSimpleName() + " " + Shapes.toString(a.shape()) + " " + Shapes.toString(b.shape()));
  }

  /** Each operand's gradient as sums in double over the output elements it reaches. */
  @Test
  void gradientsMatchSumsInDouble() {
    for (int[][] pair : PAIRS) {
      for (boolean swap : new boolean[] {false, true}) {
        Tensor a = GradCheck.randn(3, 0, swap ? pair[1] : pair[0]);
        Tensor b = GradCheck.randn(4, 0.3, swap ? pair[0] : pair[1]);
        int[] shape = Shapes.broadcast(a.shape(), b.shape());
        Tensor g = GradCheck.randn(5, 0, shape);
        checkGradients(new Add(), a, b, g, (x, y) -> 1, (x, y) -> 1);
        checkGradients(new Sub(), a, b, g, (x, y) -> 1, (x, y) -> -1);
        checkGradients(new Mul(), a, b, g, (x, y) -> y, (x, y) -> x);
        checkGradients(new Div(), a, b, g, (x, y) -> 1 / y, (x, y) -> -x / (y * y));
      }
    }
  }

  private static void checkGradients(Op op, Tensor a, Tensor b, Tensor g, DoubleBinaryOperator da, DoubleBinaryOperator db) {
    int[] shape = g.shape();
    double[] expectedA = new double[a.size()];
    double[] expectedB = new double[b.size()];
    double[] scaleA = new double[a.size()];
    double[] scaleB = new double[b.size()];
    for (int i = 0; i < g.size(); i++) {
      int[] index = unravel(i, shape);
      int ia = broadcastOffset(index, a.shape());
      int ib = broadcastOffset(index, b.shape());
      double x = a.data()[ia];
      double y = b.data()[ib];
      double gi = g.data()[i];
      expectedA[ia] += gi * da.applyAsDouble(x, y);
      expectedB[ib] += gi * db.applyAsDouble(x, y);
      scaleA[ia] += Math.abs(gi * da.applyAsDouble(x, y));
      scaleB[ib] += Math.abs(gi * db.applyAsDouble(x, y));
    }
    Tensor[] grads = PointwiseFixtures.backward(op, new Tensor[] {a, b}, g, true, true);
    String what = op.getClass().getSimpleName() + " " + Shapes.toString(a.shape()) + " " + Shapes.toString(b.shape());
    assertArrayEquals(a.shape(), grads[0].shape(), what);
    assertArrayEquals(b.shape(), grads[1].shape(), what);
    for (int i = 0; i < expectedA.length; i++) assertEquals(expectedA[i], grads[0].data()[i], 1e-5 * (1 + scaleA[i]), what + " da " + i);
    for (int i = 0; i < expectedB.length; i++) assertEquals(expectedB[i], grads[1].data()[i], 1e-5 * (1 + scaleB[i]), what + " db " + i);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (int[][] pair : PAIRS) {
      Tensor a = GradCheck.randn(6, 0, pair[0]);
      Tensor b = GradCheck.randn(7, 0.5, pair[1]);
      GradCheck.check(new Mul(), a, b);
      GradCheck.check(new Div(), a, b);
      GradCheck.check(new Sub(), b, a);
    }
  }

  /**
   * The documented order: each sum in double over the summed positions in row-major order, except sums down
   * a last axis kept whole ([...,C] to [C]), which add row after row in float. Equal bits to these loops mean
   * equal bits on any number of cores.
   */
  @Test
  void sumsTakeAFixedOrderWhateverTheSplit() {
    // [N,C,H,W] to [1,C,1,1]: over n, then the plane.
    int[] from = {5, 9, 41, 43};
    float[] v = GradCheck.randn(8, 0, from).data();
    float[] expected = new float[9];
    int plane = 41 * 43;
    for (int c = 0; c < 9; c++) {
      double s = 0;
      for (int n = 0; n < 5; n++) {
        for (int i = 0; i < plane; i++) s += v[(n * 9 + c) * plane + i];
      }
      expected[c] = (float) s;
    }
    assertArrayEquals(expected, BroadcastPlan.sumTo(v, from, new int[] {1, 9, 1, 1}));
    // [R,C] to [C], row by row in float.
    int[] rows = {1, 61, 59, 19};
    float[] w = GradCheck.randn(9, 0, rows).data();
    float[] columns = new float[19];
    for (int r = 0; r < 61 * 59; r++) {
      for (int c = 0; c < 19; c++) columns[c] += w[r * 19 + c];
    }
    assertArrayEquals(columns, BroadcastPlan.sumTo(w, rows, new int[] {19}));
    // [R,C] to [R,1].
    float[] rowSums = new float[61 * 59];
    for (int r = 0; r < rowSums.length; r++) {
      double s = 0;
      for (int c = 0; c < 19; c++) s += w[r * 19 + c];
      rowSums[r] = (float) s;
    }
    assertArrayEquals(rowSums, BroadcastPlan.sumTo(w, rows, new int[] {1, 61, 59, 1}));
    // And to a scalar.
    double all = 0;
    for (float x : w) all += x;
    assertArrayEquals(new float[] {(float) all}, BroadcastPlan.sumTo(w, rows, new int[0]));
  }

  @Test
  void expandRepeatsEachValue() {
    int[][][] cases = {{{9, 1, 1}, {5, 9, 41, 43}}, {{19}, {1, 61, 59, 19}}, {{1, 61, 59, 1}, {1, 61, 59, 19}}, {{}, {3, 5}}};
    for (int[][] c : cases) {
      float[] v = GradCheck.randn(10, 0, c[0]).data();
      float[] out = BroadcastPlan.expand(v, c[0], c[1]);
      for (int i = 0; i < out.length; i++) assertEquals(v[broadcastOffset(unravel(i, c[1]), c[0])], out[i], 0f);
    }
  }

  /** LayerNorm written out: the mean over the last axis, forward and backward, against double sums. */
  @Test
  void reduceMeanOverTheLastAxis() {
    for (int[] shape : new int[][] {{1, 3, 5, 7}, {1, 61, 59, 19}}) {
      Tensor x = GradCheck.randn(11, 0, shape);
      Op mean = new ReduceMean(new long[] {-1}, true, false);
      Tensor y = PointwiseFixtures.run(mean, x);
      int c = shape[3];
      float[] expected = new float[x.size() / c];
      for (int r = 0; r < expected.length; r++) {
        double s = 0;
        for (int k = 0; k < c; k++) s += x.data()[r * c + k];
        expected[r] = (float) ((float) s * (1.0 / c));
      }
      assertArrayEquals(expected, y.data());
      Tensor g = GradCheck.randn(12, 0, y.shape());
      float[] dx = PointwiseFixtures.backward(mean, new Tensor[] {x}, g, true)[0].data();
      for (int i = 0; i < dx.length; i++) assertEquals((float) (g.data()[i / c] * (1.0 / c)), dx[i], 0f);
    }
    GradCheck.check(new ReduceMean(new long[] {-1}, true, false), GradCheck.randn(13, 0, 2, 3, 5, 7));
  }

  /** LayerNorm's Pow(x, 2) on every core: the same floats as Math.pow, and the gradient 2 x g. */
  @Test
  void powWithOneExponent() {
    for (int[] shape : new int[][] {{1, 3, 5, 7}, {1, 61, 59, 19}}) {
      Tensor x = GradCheck.randn(14, 0, shape);
      float[] v = x.data();
      for (double exponent : new double[] {2, 3, 0.5, -1.5}) {
        Tensor base = exponent == 2 ? x : PointwiseFixtures.uniform(15, 0.1f, 3, shape);
        float[] b = base.data();
        Tensor y = PointwiseFixtures.run(new Pow(), base, Tensor.scalar((float) exponent));
        Tensor g = GradCheck.randn(16, 0, shape);
        Tensor[] grads = PointwiseFixtures.backward(new Pow(), new Tensor[] {base, Tensor.scalar((float) exponent)}, g, true, false);
        for (int i = 0; i < b.length; i++) {
          assertEquals((float) Math.pow(b[i], exponent), y.data()[i], 0f);
          assertEquals((float) (g.data()[i] * exponent * Math.pow(b[i], exponent - 1)), grads[0].data()[i], 0f);
        }
      }
      assertEquals(v.length, x.size());
    }
    GradCheck.check(new Pow(), GradCheck.randn(17, 0.1, 3, 5, 7), Tensor.scalar(2));
    // The exponent's gradient too, which a Constant exponent is asked for by OpProfile (not by Network).
    GradCheck.check(new Pow(), PointwiseFixtures.uniform(18, 0.2f, 2, 3, 5, 7), Tensor.scalar(3));
    GradCheck.check(new Pow(), PointwiseFixtures.uniform(19, 0.2f, 2, 1, 61, 59, 19), Tensor.scalar(0.5f));
  }
}
