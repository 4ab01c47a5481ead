package org.convscope.engine.ops;

import static org.convscope.engine.ops.SpatialTesting.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * MaxPool against a plain scan-order reference written here from the ONNX definition: output values, the
 * Indices output and the gradient, on inputs full of ties (small integers), with padding, strides, dilations
 * and ceil mode, at sizes small and large enough to run on several threads. On ties the gradient must go to
 * the first maximum in scan order, where PyTorch sends it.
 */
class MaxPoolTiesTest {

  /** Pooling of a 2-D input with the given geometry; explicit pads only, so windows start at o*s - pad. */
  private record Case(int batch, int channels, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw,
      int padTop, int padLeft, int padBottom, int padRight, boolean ceil) {
    Op op(int outputs) {
      return SpatialTesting.op("MaxPool", 12, 1, outputs, "kernel_shape", new int[] {kh, kw},
          "strides", new int[] {sh, sw}, "dilations", new int[] {dh, dw},
          "pads", new int[] {padTop, padLeft, padBottom, padRight}, "ceil_mode", ceil ? 1 : 0);
    }
  }

  private static final Case[] CASES = {
      new Case(1, 1, 5, 5, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, false),
      new Case(2, 3, 7, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false),
      new Case(1, 2, 8, 7, 3, 2, 2, 3, 2, 1, 1, 0, 2, 1, true),
      new Case(2, 2, 6, 11, 2, 4, 3, 2, 2, 2, 0, 1, 1, 3, true),
      // resnet's stem pooling, large enough for the parallel paths.
      new Case(2, 64, 56, 56, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false),
      // Disjoint 2x2 windows (MaxPool's own path): even sizes, odd sizes whose last row and column no window
      // reads, and the demo network's first pooling, large enough for the parallel path.
      new Case(2, 3, 6, 8, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, false),
      new Case(1, 2, 7, 9, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, false),
      new Case(4, 32, 28, 28, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, false),
      // The same windows but for the odd size's extra ragged window (ceil mode): the general path.
      new Case(1, 2, 7, 9, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, true),
  };

  @Test
  void valuesIndicesAndGradientsFollowScanOrderOnTies() {
    Random random = new Random(5);
    for (Case c : CASES) {
      float[] x = new float[c.batch() * c.channels() * c.h() * c.w()];
      for (int i = 0; i < x.length; i++) x[i] = random.nextInt(4) - 2; // many ties, zeros included
      Tensor input = Tensor.of(x, c.batch(), c.channels(), c.h(), c.w());
      Tensor[] y = SpatialTesting.run(c.op(2), input);
      int[] outShape = y[0].shape();
      int oh = outShape[2];
      int ow = outShape[3];
      int planes = c.batch() * c.channels();
      float[] expectedY = new float[planes * oh * ow];
      long[] expectedIndices = new long[expectedY.length];
      float[] g = new float[expectedY.length];
      for (int i = 0; i < g.length; i++) g[i] = random.nextInt(9) + 1;
      float[] expectedDx = new float[x.length];
      for (int p = 0; p < planes; p++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            int o = (p * oh + i) * ow + j;
            int best = -1;
            for (int a = 0; a < c.kh(); a++) {
              for (int b = 0; b < c.kw(); b++) {
                int r = i * c.sh() - c.padTop() + a * c.dh();
                int q = j * c.sw() - c.padLeft() + b * c.dw();
                if (r < 0 || r >= c.h() || q < 0 || q >= c.w()) continue;
                int at = (p * c.h() + r) * c.w() + q;
                if (best < 0 || x[at] > x[best]) best = at;
              }
            }
            expectedY[o] = x[best];
            expectedIndices[o] = best;
            expectedDx[best] += g[o];
          }
        }
      }
      assertArrayEquals(expectedY, y[0].data(), c.toString());
      assertArrayEquals(expectedIndices, y[1].longs(), c.toString());
      Op pool = c.op(1);
      Tensor[] plain = SpatialTesting.run(pool, input);
      Tensor dx = pool.backward(ExecutionContext.inference(), new Tensor[] {input}, plain,
          new Tensor[] {Tensor.of(g, outShape)}, new boolean[] {true})[0];
      assertArrayEquals(expectedDx, dx.data(), c.toString());
    }
  }

  @Test
  void aWindowWithNaNIsNaNAndItsGradientGoesToTheNaN() {
    Op pool = op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
    Tensor x = Tensor.of(new float[] {1, 5, 2, 0, Float.NaN, 4, 9, 1}, 1, 1, 2, 4);
    Tensor[] y = SpatialTesting.run(pool, x);
    assertEquals(Float.NaN, y[0].data()[0]);
    assertEquals(9f, y[0].data()[1]);
    Tensor dx = pool.backward(ExecutionContext.inference(), new Tensor[] {x}, y,
        new Tensor[] {Tensor.of(new float[] {1, 2}, 1, 1, 1, 2)}, new boolean[] {true})[0];
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0, 2, 0}, dx.data());
  }

  /** Disjoint 2x2 windows: NaN at each tap, two NaNs, signed zeros that tie, and a maximum in the last tap. */
  @Test
  void twoByTwoWindowsSendTheGradientToTheFirstNaNOrTie() {
    Op pool = op("MaxPool", 12, 1, 1, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
    float nan = Float.NaN;
    // One row of six windows over a 2 x 12 plane; window k covers columns 2k and 2k+1 of both rows.
    Tensor x = Tensor.of(new float[] {
        nan, 1, 1, nan, 1, 1, 1, 1, -0f, 0, 1, 2,
        1, 1, 1, 1, nan, 1, 3, nan, 0, -0f, 3, 4}, 1, 1, 2, 12);
    Tensor[] y = SpatialTesting.run(pool, x);
    assertArrayEquals(new float[] {nan, nan, nan, nan, 0, 4}, y[0].data());
    Tensor dx = pool.backward(ExecutionContext.inference(), new Tensor[] {x}, y,
        new Tensor[] {Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 1, 6)}, new boolean[] {true})[0];
    assertArrayEquals(new float[] {
        1, 0, 0, 2, 0, 0, 0, 0, 5, 0, 0, 0,
        0, 0, 0, 0, 3, 0, 0, 4, 0, 0, 0, 6}, dx.data());
  }
}
