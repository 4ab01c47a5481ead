package org.convscope.engine.ops;

import static org.convscope.engine.ops.OpTesting.assertLongs;
import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The ops PyTorch writes for index arithmetic and in-place assignment: Mod, ScatterND, Size, Cast to bool. */
class IndexArithmeticTest {

  @Test
  void modTakesTheDivisorsSignUnlessFmod() {
    Tensor a = Tensor.ofLongs(new long[] {7, -7, 7, -7}, 4);
    Tensor b = Tensor.ofLongs(new long[] {3, 3, -3, -3}, 4);
    assertLongs(new int[] {4}, new long[] {1, 2, -2, -1}, run(create("Mod", 2), a, b));
    assertLongs(new int[] {4}, new long[] {1, -1, 1, -1}, run(create("Mod", 13, 2, Map.of("fmod", 1L)), a, b));
    Tensor x = tensor(new int[] {4}, 7.5f, -7.5f, 7.5f, -7.5f);
    Tensor y = tensor(new int[] {4}, 2, 2, -2, -2);
    assertClose(new float[] {1.5f, -1.5f, 1.5f, -1.5f}, run(create("Mod", 13, 2, Map.of("fmod", 1L)), x, y), 0);
    assertClose(new float[] {1.5f, 0.5f, -0.5f, -1.5f}, run(create("Mod", 2), x, y), 0);
    assertThrows(InvalidModelException.class, () -> create("Mod", 13, 2, Map.of("fmod", 2L)));
  }

  @Test
  void modGradients() {
    // Away from the jumps, where a / b is an integer.
    Tensor a = tensor(new int[] {2, 3}, 7.3f, -5.6f, 2.2f, -0.7f, 9.1f, 4.4f);
    Tensor b = tensor(new int[] {3}, 2.1f, -1.7f, 3.3f);
    GradCheck.check(create("Mod", 13, 2, Map.of("fmod", 1L)), a, b);
    GradCheck.check(create("Mod", 2), a, b);
  }

  /** data [4, 3] = 0..11. */
  private static final Tensor DATA = OpTesting.arange(4, 3);

  @Test
  void scatterNdReplacesOrAddsSlices() {
    Tensor rows = Tensor.ofLongs(new long[] {3, -4}, 2, 1);
    Tensor updates = tensor(new int[] {2, 3}, 100, 101, 102, 200, 201, 202);
    assertClose(new float[] {200, 201, 202, 3, 4, 5, 6, 7, 8, 100, 101, 102},
        run(create("ScatterND", 3), DATA, rows, updates), 0);
    assertClose(new float[] {200, 202, 204, 3, 4, 5, 6, 7, 8, 109, 111, 113},
        run(create("ScatterND", 16, 3, Map.of("reduction", "add")), DATA, rows, updates), 0);
    Tensor elements = Tensor.ofLongs(new long[] {1, 2, 2, 0}, 2, 2);
    assertClose(new float[] {0, 1, 2, 3, 4, -1, -2, 7, 8, 9, 10, 11},
        run(create("ScatterND", 3), DATA, elements, tensor(new int[] {2}, -1, -2)), 0);
    Tensor ints = run(create("ScatterND", 3), Tensor.ofLongs(new long[] {0, 0, 0}, 3), Tensor.ofLongs(new long[] {1}, 1, 1),
        Tensor.ofLongs(new long[] {9}, 1));
    assertLongs(new int[] {3}, new long[] {0, 9, 0}, ints);
  }

  @Test
  void scatterNdChecksItsInputs() {
    Op scatter = create("ScatterND", 3);
    assertThrows(IllegalArgumentException.class,
        () -> run(scatter, DATA, Tensor.ofLongs(new long[] {1}, 1, 1), tensor(new int[] {1, 2}, 0, 0)));
    assertThrows(IndexOutOfBoundsException.class,
        () -> run(scatter, DATA, Tensor.ofLongs(new long[] {4}, 1, 1), tensor(new int[] {1, 3}, 0, 0, 0)));
    assertThrows(InvalidModelException.class, () -> create("ScatterND", 16, 3, Map.of("reduction", "mul")));
  }

  @Test
  void scatterNdGradients() {
    Tensor data = GradCheck.randn(1, 0, 4, 3);
    Tensor rows = Tensor.ofLongs(new long[] {2, 0, 2}, 3, 1);
    Tensor updates = GradCheck.randn(2, 0, 3, 3);
    boolean[] floats = {true, false, true};
    GradCheck.check(create("ScatterND", 3), ExecutionContext.inference(), new Tensor[] {data, rows, updates}, floats, 1e-2, 2e-2);
    GradCheck.check(create("ScatterND", 16, 3, Map.of("reduction", "add")), ExecutionContext.inference(),
        new Tensor[] {data, rows, updates}, floats, 1e-2, 2e-2);
    // Row 2 is written twice: the later update wins and takes the gradient, the earlier gets none.
    Tensor[] g = PointwiseFixtures.backward(create("ScatterND", 3), new Tensor[] {data, rows, updates},
        OpTesting.arange(4, 3), true, false, true);
    assertArrayEquals(new float[] {0, 0, 0, 3, 4, 5, 0, 0, 0, 9, 10, 11}, g[0].data());
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 6, 7, 8}, g[2].data());
  }

  @Test
  void sizeAndCastToBool() {
    assertLongs(new int[] {}, new long[] {12}, run(create("Size", 1), DATA));
    Op toBool = OpTesting.create("Cast", 13, 1, 1, "to", 9L);
    assertLongs(new int[] {4}, new long[] {1, 0, 1, 1}, run(toBool, tensor(new int[] {4}, -0.5f, 0, 2, Float.NaN)));
    assertLongs(new int[] {2}, new long[] {0, 1}, run(toBool, Tensor.ofLongs(new long[] {0, -3}, 2)));
  }
}
