package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.convscope.engine.ops.PointwiseFixtures.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BroadcastArithmeticTest {
  private static final int[][][] PAIRS = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}},
      {{2, 3, 4, 5}, {1, 3, 1, 1}},
      {{2, 3, 4, 5}, {3, 1, 1}},
      {{2, 3, 4, 5}, {1, 5}},
      {{2, 3, 4, 5}, {}},
      {{}, {3, 5}},
      {{4, 1}, {1, 5}},
      {{3, 1, 7}, {1, 2, 1}},
      {{1}, {1}},
  };

  @Test
  void addByHand() {
    Tensor a = tensor(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Tensor b = tensor(new int[] {3}, 10, 20, 30);
    assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, run(new Add(), a, b).data());
    assertArrayEquals(new int[] {2, 3}, run(new Add(), b, a).shape());
  }

  @Test
  void forwardMatchesNaiveBroadcasting() {
    for (int[][] pair : PAIRS) {
      Tensor a = uniform(1, -2, 2, pair[0]);
      Tensor b = uniform(2, 0.5f, 2, pair[1]);
      checkForward(new Add(), a, b, (x, y) -> x + y);
      checkForward(new Sub(), a, b, (x, y) -> x - y);
      checkForward(new Mul(), a, b, (x, y) -> x * y);
      checkForward(new Div(), a, b, (x, y) -> x / y);
      checkForward(new Sub(), b, a, (x, y) -> x - y);
    }
  }

  private static void checkForward(Op op, Tensor a, Tensor b, DoubleBinaryOperator f) {
    Tensor y = run(op, a, b);
    assertArrayEquals(Shapes.broadcast(a.shape(), b.shape()), y.shape());
    assertClose(PointwiseFixtures.broadcastReference(a, b, f), y, 1e-6);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (int[][] pair : PAIRS) {
      Tensor a = GradCheck.randn(3, 0.1, pair[0]);
      // Keep divisors away from zero.
      Tensor b = GradCheck.randn(4, 0.5, pair[1]);
      GradCheck.check(new Add(), a, b);
      GradCheck.check(new Sub(), a, b);
      GradCheck.check(new Mul(), a, b);
      GradCheck.check(new Div(), a, b);
      GradCheck.check(new Mul(), b, a);
    }
  }

  @Test
  void randomBroadcastShapes() {
    Random random = new Random(2);
    for (int i = 0; i < 20; i++) {
      int[][] pair = PointwiseFixtures.randomBroadcastPair(random);
      Tensor a = GradCheck.randn(10 + i, 0.1, pair[0]);
      Tensor b = GradCheck.randn(40 + i, 0.5, pair[1]);
      checkForward(new Mul(), a, b, (x, y) -> x * y);
      checkForward(new Div(), a, b, (x, y) -> x / y);
      GradCheck.check(new Sub(), a, b);
      GradCheck.check(new Div(), a, b);
    }
  }

  @Test
  void gradientsSumOverBroadcastDimensionsByHand() {
    Tensor a = tensor(new int[] {2, 2}, 1, 2, 3, 4);
    Tensor b = tensor(new int[] {2}, 10, 100);
    Tensor g = tensor(new int[] {2, 2}, 1, 1, 1, 1);
    Tensor[] add = PointwiseFixtures.backward(new Add(), new Tensor[] {a, b}, g, true, true);
    assertArrayEquals(new float[] {1, 1, 1, 1}, add[0].data());
    assertArrayEquals(new float[] {2, 2}, add[1].data());
    Tensor[] sub = PointwiseFixtures.backward(new Sub(), new Tensor[] {a, b}, g, false, true);
    assertNull(sub[0], "gradient not asked for");
    assertArrayEquals(new float[] {-2, -2}, sub[1].data());
    Tensor[] mul = PointwiseFixtures.backward(new Mul(), new Tensor[] {a, b}, g, true, true);
    assertArrayEquals(new float[] {10, 100, 10, 100}, mul[0].data());
    assertArrayEquals(new float[] {4, 6}, mul[1].data());
    Tensor[] div = PointwiseFixtures.backward(new Div(), new Tensor[] {a, b}, g, true, true);
    assertArrayEquals(new float[] {0.1f, 0.01f, 0.1f, 0.01f}, div[0].data(), 1e-7f);
    // -(1 + 3) / 10^2 and -(2 + 4) / 100^2
    assertArrayEquals(new float[] {-0.04f, -0.0006f}, div[1].data(), 1e-7f);
  }

  @Test
  void int64ShapeArithmetic() {
    Tensor shape = Tensor.vector(8, 512, 7, 7);
    Tensor two = Tensor.ofLongs(new long[] {2}, new int[0]);
    assertArrayEquals(new long[] {16, 1024, 14, 14}, run(new Mul(), shape, two).longs());
    assertArrayEquals(new long[] {4, 256, 3, 3}, run(new Div(), shape, two).longs());
    assertArrayEquals(new long[] {-3, 3}, run(new Div(), Tensor.vector(-7, 7), two).longs(), "truncates toward zero");
    assertArrayEquals(new long[] {10, 514, 9, 9}, run(new Add(), shape, two).longs());
    assertArrayEquals(new long[] {6, 510, 5, 5}, run(new Sub(), shape, two).longs());
  }

  @Test
  void mixedTypesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> run(new Add(), Tensor.vector(1), Tensor.of(new float[] {1}, 1)));
  }

  @Test
  void sumOfThreeBroadcastInputs() {
    Op sum = create("Sum", 3);
    Tensor a = tensor(new int[] {2, 1}, 1, 2);
    Tensor b = tensor(new int[] {3}, 10, 20, 30);
    Tensor c = Tensor.scalar(100);
    Tensor y = run(sum, a, b, c);
    assertArrayEquals(new int[] {2, 3}, y.shape());
    assertArrayEquals(new float[] {111, 121, 131, 112, 122, 132}, y.data());
    GradCheck.check(sum, GradCheck.randn(5, 0, 2, 1, 5), GradCheck.randn(6, 0, 3, 1), GradCheck.randn(7, 0, 5));
  }

  @Test
  void sumOfOneInputIsACopy() {
    Tensor a = tensor(new int[] {2}, 1, 2);
    Tensor y = run(create("Sum", 1), a);
    assertArrayEquals(new float[] {1, 2}, y.data());
    y.data()[0] = 5;
    assertArrayEquals(new float[] {1, 2}, a.data(), "the input is not shared");
  }
}
