package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GradientMethodsTest {
  private static final Tensor X = TinyNets.random(2, 3, 2, 4, 4);
  private static final int[] TARGETS = {0, 2, 1};

  /** Row {@code target} of the linear model's weights, as one item's input-shaped gradient. */
  private static float w(int target, int j) {
    return TinyNets.linearWeights().data()[target * 32 + j];
  }

  private static float[] expected(java.util.function.BiFunction<Integer, Integer, Float> value) {
    float[] out = new float[X.size()];
    for (int i = 0; i < 3; i++) for (int j = 0; j < 32; j++) out[i * 32 + j] = value.apply(i, j);
    return out;
  }

  private static float x(int i, int j) {
    return X.data()[i * 32 + j];
  }

  @Test
  void saliencyAndInputTimesGradientOfAReluThenLinearModel() {
    Query query = Query.forClasses(TinyNets.linear(true), X, TARGETS, null);
    Attribution saliency = new Saliency().explain(query);
    assertEquals(MapKind.INPUT, saliency.kind());
    assertArrayEquals(expected((i, j) -> x(i, j) > 0 ? w(TARGETS[i], j) : 0f), saliency.map().data(), 1e-6f);
    assertArrayEquals(expected((i, j) -> x(i, j) > 0 ? x(i, j) * w(TARGETS[i], j) : 0f),
        new InputXGradient().explain(query).map().data(), 1e-6f);
  }

  @Test
  void guidedBackpropAndDeconvnetRectifyTheGradientAtTheRelu() {
    Model model = TinyNets.linear(true);
    Query query = Query.forClasses(model, X, TARGETS, null);
    float[] weightsBefore = model.graph().initializers().get("fc.weight").data().clone();
    assertArrayEquals(expected((i, j) -> x(i, j) > 0 && w(TARGETS[i], j) > 0 ? w(TARGETS[i], j) : 0f),
        new GuidedBackprop().explain(query).map().data(), 1e-6f);
    assertArrayEquals(expected((i, j) -> Math.max(0f, w(TARGETS[i], j))),
        new Deconvnet().explain(query).map().data(), 1e-6f);
    assertArrayEquals(expected((i, j) -> x(i, j) > 0 ? w(TARGETS[i], j) : 0f),
        new Saliency().explain(query).map().data(), 1e-6f, "the plain gradient is unchanged by the overrides");
    assertArrayEquals(weightsBefore, model.graph().initializers().get("fc.weight").data());
  }

  @Test
  void integratedGradientsOfAPiecewiseLinearModelAreExact() {
    // Along the path a*x from a zero baseline, relu(a x) = a relu(x): the gradient is constant for a > 0.
    Query query = Query.forClasses(TinyNets.linear(true), X, TARGETS, null);
    for (IntegratedGradients.Rule rule : List.of(IntegratedGradients.Rule.GAUSS_LEGENDRE,
        IntegratedGradients.Rule.RIEMANN_MIDDLE, IntegratedGradients.Rule.RIEMANN_RIGHT)) {
      Attribution ig = new IntegratedGradients(new IntegratedGradients.Options(5, 0f, rule, 4)).explain(query);
      assertArrayEquals(expected((i, j) -> x(i, j) > 0 ? x(i, j) * w(TARGETS[i], j) : 0f), ig.map().data(), 1e-5f,
          rule.name());
      for (double d : ig.diagnostics().get(IntegratedGradients.COMPLETENESS_DELTA)) assertEquals(0, d, 1e-4, rule.name());
    }
    // The left rule's first point is the baseline itself, where every ReLU is off: it loses 1/steps of the total.
    Attribution left = new IntegratedGradients(
        new IntegratedGradients.Options(4, 0f, IntegratedGradients.Rule.RIEMANN_LEFT, 3)).explain(query);
    assertArrayEquals(expected((i, j) -> x(i, j) > 0 ? 0.75f * x(i, j) * w(TARGETS[i], j) : 0f), left.map().data(), 1e-5f);
  }

  @Test
  void integratedGradientsAreCompleteOnACurvedModel() {
    Query query = Query.forClasses(TinyNets.squaredHead(), X, TARGETS, null);
    for (IntegratedGradients.Rule rule : IntegratedGradients.Rule.values()) {
      Attribution ig = new IntegratedGradients(new IntegratedGradients.Options(128, 0.1f, rule, 50)).explain(query);
      double[] delta = ig.diagnostics().get(IntegratedGradients.COMPLETENESS_DELTA);
      double[] difference = ig.diagnostics().get(IntegratedGradients.SCORE_DIFFERENCE);
      for (int i = 0; i < 3; i++) {
        assertTrue(Math.abs(difference[i]) > 0.05, "the test needs scores that move along the path");
        assertTrue(Math.abs(delta[i]) <= 0.01 * Math.abs(difference[i]),
            rule + " item " + i + ": delta " + delta[i] + " for a difference of " + difference[i]);
      }
    }
  }

  @Test
  void integratedGradientsDoNotDependOnTheBatchSize() {
    Query query = Query.forClasses(TinyNets.squaredHead(), X, TARGETS, null);
    IntegratedGradients.Rule rule = IntegratedGradients.Rule.GAUSS_LEGENDRE;
    float[] one = new IntegratedGradients(new IntegratedGradients.Options(7, 0f, rule, 1)).explain(query).map().data();
    float[] many = new IntegratedGradients(new IntegratedGradients.Options(7, 0f, rule, 16)).explain(query).map().data();
    assertArrayEquals(one, many, 1e-6f);
  }

  @Test
  void gaussLegendreRuleIntegratesPolynomialsExactly() {
    for (int n : new int[] {1, 2, 5, 16, 128}) {
      double[][] pw = IntegratedGradients.Rule.GAUSS_LEGENDRE.pointsAndWeights(n);
      double sum = 0;
      double cubic = 0;
      for (int i = 0; i < n; i++) {
        sum += pw[1][i];
        cubic += pw[1][i] * Math.pow(pw[0][i], Math.min(2 * n - 1, 3));
        assertTrue(pw[0][i] > 0 && pw[0][i] < 1);
      }
      assertEquals(1, sum, 1e-12, "weights of " + n + " points");
      assertEquals(1.0 / (Math.min(2 * n - 1, 3) + 1), cubic, 1e-12, n + " points integrate a^" + Math.min(2 * n - 1, 3));
    }
  }

  @Test
  void smoothGradOfALinearModelIsItsGradientAndRepeats() {
    Query linear = Query.forClasses(TinyNets.linear(false), X, TARGETS, null);
    float[] smooth = new SmoothGrad(new SmoothGrad.Options(6, 0.3, 1, 4)).explain(linear).map().data();
    assertArrayEquals(expected((i, j) -> w(TARGETS[i], j)), smooth, 1e-6f);

    Query relu = Query.forClasses(TinyNets.linear(true), X, TARGETS, null);
    assertArrayEquals(new Saliency().explain(relu).map().data(),
        new SmoothGrad(new SmoothGrad.Options(3, 0, 1, 2)).explain(relu).map().data(), 1e-6f, "no noise, no change");
    float[] a = new SmoothGrad(new SmoothGrad.Options(10, 0.5, 7, 1)).explain(relu).map().data();
    float[] b = new SmoothGrad(new SmoothGrad.Options(10, 0.5, 7, 16)).explain(relu).map().data();
    assertArrayEquals(a, b, "the noise depends on the seed, not on the batch size");
    // Each sample's gradient is W or 0 per element, so the mean is W times the fraction of samples where x+noise > 0.
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 32; j++) {
        double fraction = a[i * 32 + j] / w(TARGETS[i], j);
        assertEquals(Math.round(fraction * 10) / 10.0, fraction, 1e-5);
      }
    }
  }

  @Test
  void guidedGradCamIsGuidedBackpropTimesTheUpsampledGradCam() {
    Model model = TinyNets.stridedSquaredHead();
    Tensor x = TinyNets.random(3, 2, 2, 8, 8);
    Query query = Query.forClasses(model, x, new int[] {0, 1}, null);
    float[] guided = new GuidedBackprop().explain(query).map().data();
    float[] cam = new GradCam().explain(query).map().data();
    float[] map = new GuidedGradCam().explain(query).map().data();
    assertEquals(2 * 2 * 64, map.length);
    boolean nonZero = false;
    for (int i = 0; i < 2; i++) {
      for (int c = 0; c < 2; c++) {
        for (int y = 0; y < 8; y++) {
          for (int xx = 0; xx < 8; xx++) {
            // 4x4 to 8x8 with half-pixel centres: source coordinate (y + 0.5) / 2 - 0.5, clamped at 0 and 3.
            double sy = Math.min(3, Math.max(0, (y + 0.5) / 2 - 0.5));
            double sx = Math.min(3, Math.max(0, (xx + 0.5) / 2 - 0.5));
            int y0 = (int) sy;
            int x0 = (int) sx;
            int y1 = Math.min(3, y0 + 1);
            int x1 = Math.min(3, x0 + 1);
            double fy = sy - y0;
            double fx = sx - x0;
            int base = i * 16;
            double up = (1 - fy) * ((1 - fx) * cam[base + y0 * 4 + x0] + fx * cam[base + y0 * 4 + x1])
                + fy * ((1 - fx) * cam[base + y1 * 4 + x0] + fx * cam[base + y1 * 4 + x1]);
            int at = ((i * 2 + c) * 8 + y) * 8 + xx;
            assertEquals(guided[at] * up, map[at], 1e-6);
            nonZero |= map[at] != 0;
          }
        }
      }
    }
    assertTrue(nonZero);
  }
}
