package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.assertShape;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Expand, Tile, Where and Range. */
class BroadcastingDataOpsTest {
  private static final Tensor COLUMN = tensor(new int[] {3, 1}, 1, 2, 3);

  @Test
  void expandBroadcastsBothWays() {
    Op expand = create("Expand", 2);
    Tensor y = run(expand, COLUMN, Tensor.vector(2, 1, 4));
    assertShape(new int[] {2, 3, 4}, y);
    assertClose(new float[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, y, 0);
    // A 1 in the target keeps the input's dimension, and the target may be shorter than the input.
    assertShape(new int[] {3, 5}, run(expand, COLUMN, Tensor.vector(5)));
    assertLongs(new int[] {2, 2}, new long[] {7, 8, 7, 8}, run(expand, Tensor.ofLongs(new long[] {7, 8}, 2), Tensor.vector(2, 1)));
    assertThrows(IllegalArgumentException.class, () -> run(expand, COLUMN, Tensor.vector(2, 2)));
  }

  @Test
  void expandGradientSumsTheCopies() {
    Tensor[] g = PointwiseFixtures.backward(create("Expand", 2), new Tensor[] {COLUMN, Tensor.vector(2, 3, 2)},
        Tensor.full(1, 2, 3, 2), true, false);
    assertArrayEquals(new float[] {4, 4, 4}, g[0].data());
    assertArrayEquals(new int[] {3, 1}, g[0].shape());
    assertNull(g[1]);
    GradCheck.check(create("Expand", 2), GradCheck.randn(1, 0, 1, 3, 1), Tensor.vector(2, 1, 1, 5));
  }

  @Test
  void tileRepeatsEachAxis() {
    Op tile = create("Tile", 2);
    Tensor x = tensor(new int[] {2, 2}, 1, 2, 3, 4);
    Tensor y = run(tile, x, Tensor.vector(2, 3));
    assertShape(new int[] {4, 6}, y);
    assertClose(new float[] {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, y, 0);
    assertShape(new int[] {0, 2}, run(tile, x, Tensor.vector(0, 1)));
    assertLongs(new int[] {3}, new long[] {5, 5, 5}, run(tile, Tensor.ofLongs(new long[] {5}, 1), Tensor.vector(3)));
    assertThrows(IllegalArgumentException.class, () -> run(tile, x, Tensor.vector(2)));
    GradCheck.check(tile, GradCheck.randn(2, 0, 3, 1, 2), Tensor.vector(2, 3, 1));
  }

  @Test
  void wherePicksAcrossThreeWayBroadcasting() {
    Op where = create("Where", 3);
    Tensor condition = Tensor.ofLongs(new long[] {1, 0, 1}, 3);
    Tensor y = run(where, condition, COLUMN, Tensor.scalar(-1));
    assertShape(new int[] {3, 3}, y);
    assertClose(new float[] {1, -1, 1, 2, -1, 2, 3, -1, 3}, y, 0);
    Tensor ints = run(where, Tensor.ofLongs(new long[] {0, 1}, 2, 1), Tensor.vector(7), Tensor.vector(8, 9));
    assertLongs(new int[] {2, 2}, new long[] {8, 9, 7, 7}, ints);
    assertThrows(IllegalArgumentException.class, () -> run(where, condition, COLUMN, Tensor.vector(1)));
  }

  @Test
  void whereGradientGoesToThePickedSide() {
    Op where = create("Where", 3);
    Tensor condition = Tensor.ofLongs(new long[] {1, 0, 1}, 3);
    Tensor[] g = PointwiseFixtures.backward(where, new Tensor[] {condition, COLUMN, Tensor.scalar(-1)},
        Tensor.full(1, 3, 3), false, true, true);
    assertArrayEquals(new float[] {2, 2, 2}, g[1].data());
    assertArrayEquals(new float[] {3}, g[2].data());
    Tensor mask = Tensor.ofLongs(new long[] {1, 0, 0, 1, 1}, 5);
    GradCheck.check(where, mask, GradCheck.randn(3, 0, 4, 1), GradCheck.randn(4, 0, 4, 5));
  }

  @Test
  void rangeOfFloatsAndInts() {
    Op range = create("Range", 3);
    assertClose(new float[] {1, 2.5f, 4}, run(range, Tensor.scalar(1), Tensor.scalar(5), Tensor.scalar(1.5f)), 0);
    assertLongs(new int[] {4}, new long[] {10, 7, 4, 1}, run(range, Tensor.ofLongs(new long[] {10}), Tensor.ofLongs(new long[] {-1}), Tensor.ofLongs(new long[] {-3})));
    assertLongs(new int[] {3}, new long[] {0, 1, 2}, run(range, Tensor.ofLongs(new long[] {0}), Tensor.ofLongs(new long[] {3}), Tensor.ofLongs(new long[] {1})));
    assertShape(new int[] {0}, run(range, Tensor.scalar(5), Tensor.scalar(1), Tensor.scalar(1)));
    assertThrows(IllegalArgumentException.class, () -> run(range, Tensor.scalar(0), Tensor.scalar(1), Tensor.scalar(0)));
  }
}
