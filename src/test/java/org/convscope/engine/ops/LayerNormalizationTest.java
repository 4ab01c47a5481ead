package org.convscope.engine.ops;

import static org.convscope.engine.ops.PointwiseFixtures.assertClose;
import static org.convscope.engine.ops.PointwiseFixtures.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayerNormalizationTest {

  private static Op layerNorm(Map<String, Object> attributes, int inputs) {
    return OpTesting.create("LayerNormalization", 17, inputs, 3, attributes.entrySet().stream()
        .flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray());
  }

  @Test
  void normalizesEachRowByHand() {
    // Rows [1, 2, 3] and [2, 4, 6]: means 2 and 4, variances 2/3 and 8/3.
    Tensor x = Tensor.of(new float[] {1, 2, 3, 2, 4, 6}, 2, 3);
    Tensor scale = Tensor.of(new float[] {1, 2, 3}, 3);
    Tensor bias = Tensor.of(new float[] {0, 0, 1}, 3);
    Tensor[] out = OpTesting.run(layerNorm(Map.of("epsilon", 0f), 3), x, scale, bias);
    float z = (float) Math.sqrt(1.5); // 1 / sqrt(2/3): the standardized value of the first and last element
    assertClose(new float[] {-z, 0, 3 * z + 1, -z, 0, 3 * z + 1}, out[0], 1e-6);
    assertShape(new int[] {2, 1}, out[1]);
    assertClose(new float[] {2, 4}, out[1], 0);
    assertClose(new float[] {z, z / 2}, out[2], 1e-6);
  }

  @Test
  void manyRowsSplitAmongTheCoresAgreeWithAPlainDoubleComputation() {
    // 4,551 rows of 29 (not a multiple of the four partial sums), 132K values: several chunks. A mean far from
    // zero checks that the variance is taken about it.
    int rows = 3 * 41 * 37;
    int n = 29;
    Tensor x = GradCheck.randn(7, 0, 3, 41, 37, n);
    for (int i = 0; i < x.size(); i++) x.data()[i] = 50 + 3 * x.data()[i];
    Tensor scale = GradCheck.randn(8, 0, n);
    Tensor bias = GradCheck.randn(9, 0, n);
    Tensor[] out = OpTesting.run(layerNorm(Map.of("epsilon", 1e-5f), 3), x, scale, bias);
    float[] expected = new float[x.size()];
    float[] means = new float[rows];
    float[] invStds = new float[rows];
    for (int row = 0; row < rows; row++) {
      double sum = 0;
      for (int j = 0; j < n; j++) sum += x.data()[row * n + j];
      double mean = sum / n;
      double squares = 0;
      for (int j = 0; j < n; j++) squares += Math.pow(x.data()[row * n + j] - mean, 2);
      double invStd = 1 / Math.sqrt(squares / n + 1e-5);
      for (int j = 0; j < n; j++) {
        expected[row * n + j] = (float) ((x.data()[row * n + j] - mean) * invStd * scale.data()[j] + bias.data()[j]);
      }
      means[row] = (float) mean;
      invStds[row] = (float) invStd;
    }
    assertClose(expected, out[0], 1e-5);
    assertClose(means, out[1], 1e-5);
    assertClose(invStds, out[2], 1e-6);
  }

  @Test
  void epsilonAndAxis() {
    Tensor x = Tensor.of(new float[] {1, 3, 5, 7}, 2, 2);
    Tensor[] out = OpTesting.run(layerNorm(Map.of("axis", 0L, "epsilon", 1f), 2), x, Tensor.full(1, 2, 2));
    // All four values: mean 4, variance 5, plus epsilon 1.
    float s = (float) (1 / Math.sqrt(6));
    assertClose(new float[] {-3 * s, -s, s, 3 * s}, out[0], 1e-6);
    assertShape(new int[] {1, 1}, out[2]);
  }

  @Test
  void scaleAndBiasBroadcastToTheNormalizedDimensions() {
    Tensor x = GradCheck.randn(1, 0, 2, 3, 4);
    Tensor fullScale = Tensor.full(2, 3, 4);
    Tensor[] a = OpTesting.run(layerNorm(Map.of("axis", 1L), 2), x, fullScale);
    Tensor[] b = OpTesting.run(layerNorm(Map.of("axis", 1L), 2), x, Tensor.scalar(2));
    assertArrayEquals(a[0].data(), b[0].data());
    assertThrows(IllegalArgumentException.class,
        () -> OpTesting.run(layerNorm(Map.of("axis", 1L), 2), x, Tensor.full(1, 3)));
  }

  @Test
  void gradientsReachXScaleAndBias() {
    Tensor x = GradCheck.randn(2, 0, 3, 5, 7);
    for (long axis : new long[] {-1, 1, 0}) {
      int[] rowShape = Arrays.copyOfRange(x.shape(), (int) (axis < 0 ? axis + 3 : axis), 3);
      Tensor scale = PointwiseFixtures.uniform(3, 0.5f, 1.5f, rowShape);
      Tensor bias = GradCheck.randn(4, 0, rowShape);
      // GradCheck weighs every output, so the gradients arriving at Mean and InvStdDev are checked as well.
      GradCheck.check(layerNorm(Map.of("axis", axis), 3), x, scale, bias);
    }
    Tensor rowScale = PointwiseFixtures.uniform(5, 0.5f, 1.5f, 1, 7);
    GradCheck.check(layerNorm(Map.of("axis", 1L, "epsilon", 0.1f), 2), x, rowScale);
  }

  @Test
  void onlyYCarriesGradientWhenTheOtherOutputsAreUnused() {
    Op op = layerNorm(Map.of(), 2);
    Tensor x = GradCheck.randn(6, 0, 2, 5);
    Tensor scale = Tensor.full(1, 5);
    ExecutionContext context = ExecutionContext.inference();
    Tensor[] outputs = op.forward(context, new Tensor[] {x, scale});
    Tensor[] grads = op.backward(context, new Tensor[] {x, scale}, outputs,
        new Tensor[] {Tensor.full(1, 2, 5), null, null}, new boolean[] {true, false});
    // A constant gradient on a standardized row has no component that changes the output.
    assertArrayEquals(new float[10], grads[0].data(), 1e-6f);
  }

  @Test
  void rejectsAMissingScale() {
    assertThrows(InvalidModelException.class, () -> layerNorm(Map.of(), 1));
  }
}
