package org.convscope.engine.ops;

import static org.convscope.engine.ops.SpatialTesting.assertClose;
import static org.convscope.engine.ops.SpatialTesting.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BatchNormalizationTest {

  private static Tensor vector(float... values) {
    return Tensor.of(values, values.length);
  }

  @Test
  void inferenceUsesTheRunningStatistics() {
    Op bn = op("BatchNormalization", 9, 5, 1, "epsilon", 1.0);
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    Tensor[] in = {x, vector(2, 0.5f), vector(1, -1), vector(1, 2), vector(3, 0)};
    Tensor y = bn.forward(ExecutionContext.inference(), in)[0];
    // Channel 0: 2 (x - 1) / 2 + 1 = x. Channel 1: 0.5 (x - 2) / 1 - 1.
    assertClose(new float[] {1, -1, 3, 0}, y.data(), 1e-6);
    // The backward pass of inference mode, by hand: dx = g * scale / sqrt(var + eps).
    Tensor g = Tensor.of(new float[] {1, 1, 2, 4}, 2, 2);
    Tensor[] grads = bn.backward(ExecutionContext.inference(), in, new Tensor[] {y}, new Tensor[] {g},
        new boolean[] {true, true, true, true, true});
    assertClose(new float[] {1, 0.5f, 2, 2}, grads[0].data(), 1e-6);
    // x-hat is (0, 1) in channel 0 and (0, 2) in channel 1.
    assertClose(new float[] {2, 8}, grads[1].data(), 1e-6);
    assertClose(new float[] {3, 5}, grads[2].data(), 1e-6);
    assertClose(new float[] {-3, -2.5f}, grads[3].data(), 1e-6);
  }

  @Test
  void trainingRunNormalizesWithBatchStatisticsAndUpdatesRunningAverages() {
    Op bn = op("BatchNormalization", 15, 5, 1, "epsilon", 0.5);
    Tensor x = Tensor.of(new float[] {1, 2, 3, 6}, 2, 1, 2);
    Tensor runningMean = vector(1);
    Tensor runningVar = vector(2);
    ExecutionContext training = ExecutionContext.training();
    Tensor y = bn.forward(training, new Tensor[] {x, vector(1), vector(0), runningMean, runningVar})[0];
    // Batch mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5, so y = (x - 3) / 2.
    assertClose(new float[] {-1, -0.5f, 0, 1.5f}, y.data(), 1e-6);
    assertArrayEquals(new float[] {1}, runningMean.data(), "state changes only when the trainer applies it");
    training.applyStateUpdates();
    // ONNX momentum 0.9: running * 0.9 + batch * 0.1.
    assertClose(new float[] {0.9f * 1 + 0.1f * 3}, runningMean.data(), 1e-6);
    assertClose(new float[] {0.9f * 2 + 0.1f * 3.5f}, runningVar.data(), 1e-6);
  }

  @Test
  void trainingModeNodeReturnsRunningStatisticsWithoutChangingState() {
    Op bn = op("BatchNormalization", 15, 5, 3, "training_mode", 1, "momentum", 0.5);
    Tensor runningMean = vector(1, 0);
    Tensor x = Tensor.of(new float[] {1, 10, 3, 20}, 2, 2);
    Tensor[] out = bn.forward(ExecutionContext.inference(), new Tensor[] {x, vector(1, 1), vector(0, 0), runningMean,
        vector(1, 1)});
    assertEquals(3, out.length);
    assertClose(new float[] {1.5f, 7.5f}, out[1].data(), 1e-6);
    assertClose(new float[] {0.5f + 0.5f, 0.5f + 12.5f}, out[2].data(), 1e-6);
    assertArrayEquals(new float[] {1, 0}, runningMean.data());
  }

  @Test
  void opset9TrainingOutputsAlsoReturnTheBatchStatistics() {
    Op bn = op("BatchNormalization", 9, 5, 5);
    Tensor x = Tensor.of(new float[] {1, 10, 3, 20}, 2, 2);
    Tensor[] out = bn.forward(ExecutionContext.inference(), new Tensor[] {x, vector(1, 1), vector(0, 0),
        vector(0, 0), vector(1, 1)});
    assertClose(new float[] {0.2f, 1.5f}, out[1].data(), 1e-6);
    assertClose(new float[] {2, 15}, out[3].data(), 1e-6);
    assertClose(new float[] {1, 25}, out[4].data(), 1e-6);
  }

  @Test
  void inferenceGradientsToAllInputs() {
    for (int[] shape : new int[][] {{2, 3, 5, 4}, {5, 3}, {2, 3, 3, 2, 3}, {7}}) {
      int c = shape.length > 1 ? shape[1] : 1;
      Tensor var = GradCheck.randn(5, 0, c);
      for (int i = 0; i < c; i++) var.data()[i] = Math.abs(var.data()[i]) + 0.5f;
      Tensor[] inputs = {GradCheck.randn(1, 0, shape), GradCheck.randn(2, 0, c), GradCheck.randn(3, 0, c),
          GradCheck.randn(4, 0, c), var};
      GradCheck.check(op("BatchNormalization", 15, 5, 1), inputs);
    }
  }

  @Test
  void trainingGradientsToInputScaleAndBias() {
    for (int[] shape : new int[][] {{3, 4, 5, 3}, {6, 3}, {2, 2, 3, 2, 3}}) {
      int c = shape[1];
      Tensor[] inputs = {GradCheck.randn(1, 0, shape), GradCheck.randn(2, 0, c), GradCheck.randn(3, 0, c),
          Tensor.zeros(c), Tensor.full(1, c)};
      GradCheck.check(op("BatchNormalization", 15, 5, 1), ExecutionContext.training(), inputs,
          new boolean[] {true, true, true, false, false}, 1e-2, 2e-2);
      GradCheck.check(op("BatchNormalization", 15, 5, 1, "training_mode", 1), ExecutionContext.inference(), inputs,
          new boolean[] {true, true, true, false, false}, 1e-2, 2e-2);
    }
  }

  /**
   * The training path (one-pass shifted statistics, float dx) against the textbook formulas in double, two-pass:
   * on a tensor big enough to run in parallel, with a mean far from zero against its spread.
   */
  @Test
  void trainingPassesMatchTwoPassDoubleReference() {
    int n = 8;
    int c = 3;
    int plane = 29 * 31;
    Tensor x = GradCheck.randn(11, 0, n, c, 29, 31);
    for (int i = 0; i < x.size(); i++) x.data()[i] = 300 + 0.5f * x.data()[i] + (i / plane % c);
    Tensor scale = vector(1.5f, -0.5f, 2);
    Tensor bias = vector(0.1f, 0.2f, -0.3f);
    Tensor g = GradCheck.randn(12, 0, n, c, 29, 31);
    Tensor[] inputs = {x, scale, bias, Tensor.zeros(c), Tensor.full(1, c)};
    Op bn = op("BatchNormalization", 15, 5, 1);
    ExecutionContext training = ExecutionContext.training();
    Tensor y = bn.forward(training, inputs)[0];
    Tensor[] grads = bn.backward(training, inputs, new Tensor[] {y}, new Tensor[] {g},
        new boolean[] {true, true, true, false, false});
    float eps = 1e-5f;
    for (int ch = 0; ch < c; ch++) {
      double m = n * plane;
      double mean = 0;
      for (int b = 0; b < n; b++) for (int p = 0; p < plane; p++) mean += x.data()[(b * c + ch) * plane + p];
      mean /= m;
      double var = 0;
      for (int b = 0; b < n; b++) {
        for (int p = 0; p < plane; p++) var += Math.pow(x.data()[(b * c + ch) * plane + p] - mean, 2);
      }
      var /= m;
      double invStd = 1 / Math.sqrt(var + eps);
      double sumG = 0;
      double sumGNorm = 0;
      for (int b = 0; b < n; b++) {
        for (int p = 0; p < plane; p++) {
          int i = (b * c + ch) * plane + p;
          sumG += g.data()[i];
          sumGNorm += g.data()[i] * (x.data()[i] - mean) * invStd;
        }
      }
      assertEquals(sumG, grads[2].data()[ch], 1e-4 * Math.max(1, Math.abs(sumG)), "bias gradient " + ch);
      assertEquals(sumGNorm, grads[1].data()[ch], 1e-4 * Math.max(1, Math.abs(sumGNorm)), "scale gradient " + ch);
      double gain = scale.data()[ch] * invStd;
      for (int b = 0; b < n; b++) {
        for (int p = 0; p < plane; p++) {
          int i = (b * c + ch) * plane + p;
          double norm = (x.data()[i] - mean) * invStd;
          double expectY = norm * scale.data()[ch] + bias.data()[ch];
          double expectDx = gain * (g.data()[i] - sumG / m - norm * sumGNorm / m);
          assertEquals(expectY, y.data()[i], 2e-4 * Math.max(1, Math.abs(expectY)), "y at " + i);
          assertEquals(expectDx, grads[0].data()[i], 2e-4 * Math.max(1, Math.abs(expectDx)), "dx at " + i);
        }
      }
    }
  }

  @Test
  void parameterGradientsAreSkippedWhenNotNeeded() {
    Op bn = op("BatchNormalization", 15, 5, 1);
    Tensor[] inputs = {GradCheck.randn(1, 0, 2, 3, 4), vector(1, 2, 3), vector(0, 0, 0), vector(0, 0, 0),
        vector(1, 1, 1)};
    Tensor y = bn.forward(ExecutionContext.inference(), inputs)[0];
    Tensor[] grads = bn.backward(ExecutionContext.inference(), inputs, new Tensor[] {y}, new Tensor[] {y},
        new boolean[] {true, false, false, false, false});
    assertNull(grads[1]);
    assertNull(grads[4]);
  }

  @Test
  void unsupportedNodesFailAtLoad() {
    assertThrows(InvalidModelException.class, () -> op("BatchNormalization", 7, 5, 1, "spatial", 0));
    assertThrows(InvalidModelException.class, () -> op("BatchNormalization", 15, 5, 3));
    assertThrows(InvalidModelException.class, () -> op("BatchNormalization", 15, 3, 1));
  }
}
