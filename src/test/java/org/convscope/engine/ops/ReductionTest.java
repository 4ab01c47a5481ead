package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.assertShape;
import static org.convscope.engine.ops.PointwiseFixtures.create;
import static org.convscope.engine.ops.PointwiseFixtures.run;
import static org.convscope.engine.ops.PointwiseFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ReductionTest {
  /** [2, 3, 2] holding 0..11. */
  private static final Tensor X = tensor(new int[] {2, 3, 2}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);

  @Test
  void axesAsAttribute() {
    Op sum = create("ReduceSum", 11, 1, Map.of("axes", new long[] {1}));
    Tensor y = run(sum, X);
    assertShape(new int[] {2, 1, 2}, y);
    assertClose(new float[] {6, 9, 24, 27}, y, 0);
    Op mean = create("ReduceMean", 13, 1, Map.of("axes", new long[] {0, -1}, "keepdims", 0L));
    y = run(mean, X);
    assertShape(new int[] {3}, y);
    assertClose(new float[] {3.5f, 5.5f, 7.5f}, y, 1e-6);
    Op all = create("ReduceMean", 13, 1, Map.of());
    y = run(all, X);
    assertShape(new int[] {1, 1, 1}, y);
    assertClose(new float[] {5.5f}, y, 1e-6);
  }

  @Test
  void axesAsInput() {
    Op sum = create("ReduceSum", 13, 2, Map.of("keepdims", 0L));
    Tensor y = run(sum, X, Tensor.vector(2));
    assertShape(new int[] {2, 3}, y);
    assertClose(new float[] {1, 5, 9, 13, 17, 21}, y, 0);
    y = run(sum, X);
    assertShape(new int[] {}, y);
    assertClose(new float[] {66}, y, 0);
    Op mean = create("ReduceMean", 18, 2, Map.of());
    y = run(mean, X, Tensor.vector(-2, 0));
    assertShape(new int[] {1, 1, 2}, y);
    assertClose(new float[] {5, 6}, y, 1e-6);
  }

  @Test
  void emptyAxesWithNoopIsTheIdentity() {
    Op noop = create("ReduceSum", 13, 2, Map.of("noop_with_empty_axes", 1L));
    Tensor y = run(noop, X, Tensor.ofLongs(new long[0], 0));
    assertShape(X.shape(), y);
    assertClose(X.data(), y, 0);
    GradCheck.check(noop, GradCheck.randn(1, 0, 2, 3), Tensor.ofLongs(new long[0], 0));
    Op reduceAll = create("ReduceSum", 13, 2, Map.of());
    assertClose(new float[] {66}, run(reduceAll, X, Tensor.ofLongs(new long[0], 0)), 0);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Tensor x = GradCheck.randn(2, 0, 3, 5, 2, 7);
    long[][] axesCases = {{1}, {-1}, {0, 2}, {1, 2, 3}, {}};
    for (long[] axes : axesCases) {
      for (long keep = 0; keep < 2; keep++) {
        GradCheck.check(create("ReduceSum", 11, 1, Map.of("axes", axes, "keepdims", keep)), x);
        GradCheck.check(create("ReduceMean", 11, 1, Map.of("axes", axes, "keepdims", keep)), x);
        GradCheck.check(create("ReduceSum", 13, 2, Map.of("keepdims", keep)), x, Tensor.vector(axes));
        GradCheck.check(create("ReduceMean", 18, 2, Map.of("keepdims", keep)), x, Tensor.vector(axes));
      }
    }
  }

  @Test
  void axesMustComeTheWayTheOpsetSays() {
    assertThrows(InvalidModelException.class, () -> create("ReduceSum", 13, 1, Map.of("axes", new long[] {1})));
    assertThrows(InvalidModelException.class, () -> create("ReduceMean", 13, 2, Map.of()));
    assertThrows(InvalidModelException.class, () -> create("ReduceMean", 18, 1, Map.of("keepdims", 2L)));
    assertThrows(IllegalArgumentException.class,
        () -> run(create("ReduceSum", 11, 1, Map.of("axes", new long[] {3})), X));
  }
}
