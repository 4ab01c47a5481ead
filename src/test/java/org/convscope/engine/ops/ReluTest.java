package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ReluTest {
  @Test
  void forwardAndRulesByHand() {
    Tensor x = Tensor.of(new float[] {-2, -0.5f, 0.5f, 3}, 4);
    Tensor g = Tensor.of(new float[] {1, -1, -1, 2}, 4);
    Relu relu = new Relu();
    ExecutionContext ctx = ExecutionContext.inference();
    Tensor y = relu.forward(ctx, new Tensor[] {x})[0];
    assertArrayEquals(new float[] {0, 0, 0.5f, 3}, y.data());
    Tensor[] in = {x};
    Tensor[] out = {y};
    Tensor[] grads = {g};
    boolean[] need = {true};
    assertArrayEquals(new float[] {0, 0, -1, 2}, relu.backward(ctx, in, out, grads, need)[0].data());
    assertArrayEquals(new float[] {0, 0, 0, 2}, Relu.GUIDED.backward(ctx, relu, in, out, grads, need)[0].data());
    assertArrayEquals(new float[] {1, 0, 0, 2}, Relu.DECONVNET.backward(ctx, relu, in, out, grads, need)[0].data());
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    GradCheck.check(new Relu(), GradCheck.randn(1, 0.05, 2, 3, 5, 7));
  }

  @Test
  void bigTensorsRunInParallelChunksWithTheSameValues() {
    // Beyond the parallel threshold and not a whole number of chunks.
    Tensor x = GradCheck.randn(3, 0, 5, 7, 61, 67);
    Tensor g = GradCheck.randn(4, 0, 5, 7, 61, 67);
    Relu relu = new Relu();
    ExecutionContext ctx = ExecutionContext.inference();
    Tensor y = relu.forward(ctx, new Tensor[] {x})[0];
    Tensor dx = relu.backward(ctx, new Tensor[] {x}, new Tensor[] {y}, new Tensor[] {g}, new boolean[] {true})[0];
    for (int i = 0; i < x.size(); i++) {
      float v = x.data()[i];
      if (y.data()[i] != (v > 0 ? v : 0f) || dx.data()[i] != (v > 0 ? g.data()[i] : 0f)) {
        throw new AssertionError("element " + i + " of " + v);
      }
    }
  }

  @Test
  void branchFreeMasksAgreeWithTheComparisonOnSpecialValues() {
    float[] values = {Float.NaN, -Float.NaN, Float.intBitsToFloat(0x7FC00001), Float.intBitsToFloat(0xFF800001), 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, -1f,
        Float.MAX_VALUE, -Float.MAX_VALUE};
    for (float x : values) {
      for (float v : new float[] {-2.5f, 3f, -0f}) {
        float expected = x > 0 ? v : 0f;
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(Relu.keep(v, Relu.positive(x))),
            "x " + x + ", v " + v);
      }
    }
    Tensor x = Tensor.of(values, values.length);
    Tensor g = Tensor.full(-1.5f, values.length);
    boolean[] need = {true};
    ExecutionContext ctx = ExecutionContext.inference();
    Tensor[] guided = Relu.GUIDED.backward(ctx, new Relu(), new Tensor[] {x}, new Tensor[] {x}, new Tensor[] {x}, need);
    for (int i = 0; i < values.length; i++) {
      assertEquals(Float.floatToRawIntBits(values[i] > 0 ? values[i] : 0f), Float.floatToRawIntBits(guided[0].data()[i]));
    }
    Tensor[] deconv = Relu.DECONVNET.backward(ctx, new Relu(), new Tensor[] {g}, new Tensor[] {g}, new Tensor[] {x}, need);
    for (int i = 0; i < values.length; i++) {
      assertEquals(Float.floatToRawIntBits(values[i] > 0 ? values[i] : 0f), Float.floatToRawIntBits(deconv[0].data()[i]));
    }
  }
}
