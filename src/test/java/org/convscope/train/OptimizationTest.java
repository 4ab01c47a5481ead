package org.convscope.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class OptimizationTest {
  @Test
  void crossEntropyByHand() {
    // logits (0, ln 3): softmax (1/4, 3/4); label 1 -> loss -ln(3/4); label 0 -> loss -ln(1/4).
    Tensor z = Tensor.of(new float[] {0, (float) Math.log(3), 0, (float) Math.log(3)}, 2, 2);
    SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.compute(z, new int[] {1, 0});
    assertEquals((-Math.log(0.75) - Math.log(0.25)) / 2, r.loss(), 1e-6);
    assertEquals(1, r.correct());
    assertArrayEquals(new float[] {0.125f, -0.125f, -0.375f, 0.375f}, r.gradient().data(), 1e-6f);
  }

  @Test
  void crossEntropyGradientMatchesFiniteDifferences() {
    Tensor z = Tensor.of(new float[] {0.3f, -1.2f, 2.0f, 0.1f, 0.5f, -0.7f}, 2, 3);
    int[] labels = {2, 0};
    Tensor g = SoftmaxCrossEntropy.compute(z, labels).gradient();
    double eps = 1e-3;
    for (int i = 0; i < 6; i++) {
      float saved = z.data()[i];
      z.data()[i] = (float) (saved + eps);
      double plus = SoftmaxCrossEntropy.compute(z, labels).loss();
      z.data()[i] = (float) (saved - eps);
      double minus = SoftmaxCrossEntropy.compute(z, labels).loss();
      z.data()[i] = saved;
      assertEquals((plus - minus) / (2 * eps), g.data()[i], 1e-4);
    }
  }

  @Test
  void sgdWithMomentumAndDecayByHand() {
    Tensor w = Tensor.of(new float[] {1f}, 1);
    Map<String, Tensor> params = Map.of("w", w);
    Sgd sgd = new Sgd(0.1, 0.9, 0.01);
    sgd.step(params, Map.of("w", Tensor.of(new float[] {2f}, 1)));
    // v = 2 + 0.01 * 1 = 2.01; w = 1 - 0.201
    assertEquals(0.799f, w.data()[0], 1e-6f);
    sgd.step(params, Map.of("w", Tensor.of(new float[] {2f}, 1)));
    // v = 0.9 * 2.01 + 2 + 0.01 * 0.799 = 3.81699; w = 0.799 - 0.381699
    assertEquals(0.417301f, w.data()[0], 1e-6f);
    assertEquals(2, w.version(), "each step marks the parameter modified");
  }

  @Test
  void adamMinimizesAQuadratic() {
    Tensor w = Tensor.of(new float[] {5f, -3f}, 2);
    Map<String, Tensor> params = new HashMap<>(Map.of("w", w));
    Adam adam = new Adam(0.1, 0);
    // The first step moves each weight by the rate against its gradient's sign.
    adam.step(params, Map.of("w", Tensor.of(new float[] {10f, -6f}, 2)));
    assertArrayEquals(new float[] {4.9f, -2.9f}, w.data(), 1e-5f);
    for (int i = 0; i < 500; i++) {
      float[] x = w.data();
      adam.step(params, Map.of("w", Tensor.of(new float[] {2 * x[0], 2 * x[1]}, 2)));
    }
    assertTrue(Math.abs(w.data()[0]) < 0.05 && Math.abs(w.data()[1]) < 0.05, "converged near 0: " + w.data()[0]);
  }
}
