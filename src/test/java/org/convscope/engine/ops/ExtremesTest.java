package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.assertShape;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Max, Min and Mean over inputs, and ReduceMax, ReduceMin and ReduceL2 over axes. */
class ExtremesTest {
  private static final Tensor A = tensor(new int[] {2, 3}, 1, 5, -2, 0, 7, 3);
  private static final Tensor ROW = tensor(new int[] {3}, 2, 2, 2);
  private static final Tensor COLUMN = tensor(new int[] {2, 1}, -1, 4);

  @Test
  void variadicWithBroadcasting() {
    Tensor max = run(create("Max", 3), A, ROW, COLUMN);
    assertShape(new int[] {2, 3}, max);
    assertClose(new float[] {2, 5, 2, 4, 7, 4}, max, 0);
    assertClose(new float[] {-1, -1, -2, 0, 2, 2}, run(create("Min", 3), A, ROW, COLUMN), 0);
    assertClose(new float[] {2 / 3f, 2, -1 / 3f, 2, 13 / 3f, 3}, run(create("Mean", 3), A, ROW, COLUMN), 1e-6);
    Tensor single = run(create("Max", 1), A);
    assertClose(A.data(), single, 0);
    Tensor mean = run(create("Mean", 2), COLUMN, tensor(new int[] {3, 1, 1}, 1, 2, 3));
    assertShape(new int[] {3, 2, 1}, mean);
    assertClose(new float[] {0, 2.5f, 0.5f, 3, 1, 3.5f}, mean, 1e-6);
  }

  @Test
  void int64MaxAndMin() {
    Tensor a = Tensor.ofLongs(new long[] {3, -7, 10}, 3);
    Tensor b = Tensor.ofLongs(new long[] {4}, 1);
    assertLongs(new int[] {3}, new long[] {4, 4, 10}, run(create("Max", 2), a, b));
    assertLongs(new int[] {3}, new long[] {3, -7, 4}, run(create("Min", 2), a, b));
    assertThrows(IllegalArgumentException.class, () -> run(create("Max", 2), a, ROW));
  }

  @Test
  void tiesSendTheGradientToTheFirstInputOnly() {
    Tensor x = tensor(new int[] {3}, 1, 2, 3);
    Tensor y = tensor(new int[] {3}, 1, 0, 3);
    Tensor[] g = PointwiseFixtures.backward(create("Max", 2), new Tensor[] {x, y}, tensor(new int[] {3}, 10, 20, 30), true, true);
    assertArrayEquals(new float[] {10, 20, 30}, g[0].data());
    assertArrayEquals(new float[] {0, 0, 0}, g[1].data());
  }

  @Test
  void variadicGradients() {
    Tensor a = spreadOut(1, 0, 3, 1, 5);
    Tensor b = spreadOut(2, 0.05f, 4, 1);
    Tensor c = spreadOut(3, 0.1f, 5);
    for (String type : new String[] {"Max", "Min", "Mean"}) {
      GradCheck.check(create(type, 3), a, b, c);
      GradCheck.check(create(type, 1), a);
    }
  }

  /** [2, 3, 2] with a tie for the maximum in the last row. */
  private static final Tensor X = tensor(new int[] {2, 3, 2}, 0, 9, 2, 3, -4, 5, 6, 7, 8, 1, 8, -3);

  @Test
  void reduceMaxAndMinOverAxes() {
    Tensor y = run(create("ReduceMax", 13, 1, Map.of("axes", new long[] {1})), X);
    assertShape(new int[] {2, 1, 2}, y);
    assertClose(new float[] {2, 9, 8, 7}, y, 0);
    y = run(create("ReduceMin", 13, 1, Map.of("axes", new long[] {0, -1}, "keepdims", 0L)), X);
    assertShape(new int[] {3}, y);
    assertClose(new float[] {0, 1, -4}, y, 0);
    y = run(create("ReduceMax", 13, 1, Map.of("keepdims", 0L)), X);
    assertShape(new int[] {}, y);
    assertClose(new float[] {9}, y, 0);
    y = run(create("ReduceMin", 18, 2, Map.of()), X, Tensor.vector(2));
    assertShape(new int[] {2, 3, 1}, y);
    assertClose(new float[] {0, 2, -4, 6, 1, -3}, y, 0);
    y = run(create("ReduceMax", 18, 2, Map.of("noop_with_empty_axes", 1L)), X, Tensor.ofLongs(new long[0], 0));
    assertClose(X.data(), y, 0);
  }

  @Test
  void tiedMaximaShareTheGradient() {
    Op max = create("ReduceMax", 13, 1, Map.of("axes", new long[] {1}, "keepdims", 0L));
    Tensor[] g = PointwiseFixtures.backward(max, new Tensor[] {X}, tensor(new int[] {2, 2}, 1, 2, 3, 4), true);
    assertArrayEquals(new float[] {0, 2, 1, 0, 0, 0, 0, 4, 1.5f, 0, 1.5f, 0}, g[0].data());
  }

  /**
   * Distinct values 0.15 apart, shifted by {@code offset}, in random order: tensors with offsets 0, 0.05 and 0.1
   * share no value either, so finite differences never cross a tie.
   */
  private static Tensor spreadOut(long seed, float offset, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    List<Integer> ranks = new ArrayList<>();
    for (int i = 0; i < d.length; i++) ranks.add(i);
    Collections.shuffle(ranks, new Random(seed));
    for (int i = 0; i < d.length; i++) d[i] = (ranks.get(i) - d.length / 2) * 0.15f + offset;
    return t;
  }

  @Test
  void reductionGradients() {
    Tensor x = spreadOut(4, 0, 3, 5, 2, 7);
    long[][] axesCases = {{1}, {-1}, {0, 2}, {1, 2, 3}, {}};
    for (long[] axes : axesCases) {
      for (long keep = 0; keep < 2; keep++) {
        GradCheck.check(create("ReduceMax", 13, 1, Map.of("axes", axes, "keepdims", keep)), x);
        GradCheck.check(create("ReduceMin", 18, 2, Map.of("keepdims", keep)), x, Tensor.vector(axes));
      }
    }
  }

  @Test
  void reduceL2() {
    Tensor x = tensor(new int[] {2, 2}, 3, 4, 0, 0);
    assertClose(new float[] {5, 0}, run(create("ReduceL2", 13, 1, Map.of("axes", new long[] {1}, "keepdims", 0L)), x), 1e-6);
    assertClose(new float[] {3, 4}, run(create("ReduceL2", 18, 2, Map.of()), x, Tensor.vector(0)), 1e-6);
    Tensor[] g = PointwiseFixtures.backward(create("ReduceL2", 13, 1, Map.of("axes", new long[] {1})), new Tensor[] {x},
        tensor(new int[] {2, 1}, 10, 10), true);
    assertArrayEquals(new float[] {6, 8, 0, 0}, g[0].data(), 1e-5f, "x / norm, and 0 where the norm is 0");
    Tensor y = GradCheck.randn(5, 0, 3, 4, 5);
    GradCheck.check(create("ReduceL2", 13, 1, Map.of("axes", new long[] {-1})), y);
    GradCheck.check(create("ReduceL2", 18, 2, Map.of("keepdims", 0L)), y, Tensor.vector(0, 2));
  }

  @Test
  void axesComeAsTheOpsetSays() {
    assertThrows(InvalidModelException.class, () -> create("ReduceMax", 18, 1, Map.of("axes", new long[] {1})));
    assertThrows(InvalidModelException.class, () -> create("ReduceMin", 13, 2, Map.of()));
  }
}
