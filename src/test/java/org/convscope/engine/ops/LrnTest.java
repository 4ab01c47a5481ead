package org.convscope.engine.ops;

import static org.convscope.engine.ops.SpatialTesting.assertClose;
import static org.convscope.engine.ops.SpatialTesting.attrs;
import static org.convscope.engine.ops.SpatialTesting.op;
import static org.convscope.engine.ops.SpatialTesting.run;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.tensor.DType;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LrnTest {

  @Test
  void oddWindowByHand() {
    // alpha / size = 1, beta = 1, bias = 1: y = x / (1 + sum of squares over the window).
    Tensor y = run(op("LRN", 13, 1, 1, "size", 3, "alpha", 3.0, "beta", 1.0, "bias", 1.0),
        Tensor.of(new float[] {1, 2, 3}, 1, 3, 1, 1))[0];
    assertClose(new float[] {1 / 6f, 2 / 15f, 3 / 14f}, y.data(), 1e-6);
  }

  @Test
  void evenWindowReachesOneChannelFurtherAfterThanBefore() {
    Tensor y = run(op("LRN", 13, 1, 1, "size", 2, "alpha", 2.0, "beta", 1.0, "bias", 1.0),
        Tensor.of(new float[] {1, 2, 3}, 1, 3, 1, 1))[0];
    assertClose(new float[] {1 / 6f, 2 / 14f, 3 / 10f}, y.data(), 1e-6);
  }

  @Test
  void gradients() {
    GradCheck.check(op("LRN", 13, 1, 1, "size", 5, "alpha", 0.5, "beta", 0.75, "bias", 1.0),
        GradCheck.randn(1, 0, 2, 7, 3, 5));
    GradCheck.check(op("LRN", 13, 1, 1, "size", 4, "alpha", 1.0, "beta", 0.5, "bias", 2.0),
        GradCheck.randn(2, 0, 1, 6, 4, 3));
  }

  @Test
  void matchesOnnxRuntime() {
    Tensor x = GradCheck.randn(3, 0, 2, 9, 4, 5);
    // onnxruntime only takes odd sizes; the even window is checked by hand above.
    for (int size : new int[] {1, 3, 5, 11}) {
      Object[] a = {"size", size, "alpha", 0.3, "beta", 0.75, "bias", 1.5};
      Tensor ours = run(op("LRN", 13, 1, 1, a), x)[0];
      Tensor theirs = OnnxRuntimeReference.run("LRN", 13, attrs(a), new Tensor[] {x}, DType.FLOAT)[0];
      assertClose(theirs.data(), ours.data(), 1e-5);
    }
  }

  @Test
  void sizeIsRequired() {
    assertThrows(InvalidModelException.class, () -> op("LRN", 13, 1, 1, "alpha", 0.5));
    assertThrows(InvalidModelException.class, () -> op("LRN", 13, 1, 1, "size", 0));
  }
}
