package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.ops.StandardOps;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.convscope.train.Architecture;
import org.junit.jupiter.api.Test;

/** Lucid's colour decorrelation as a step: against the explicit parameterization, on a linear model and a small CNN. */
class ColorDecorrelationTest {
  /** Lucid's color_correlation_svd_sqrt, typed again from lucid/optvis/param/color.py. */
  private static final double[][] LUCID = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}};
  private static final Preprocessing IMAGENET = new Preprocessing(new Preprocessing.Keep(), 3,
      List.of(0.485f, 0.456f, 0.406f), List.of(0.229f, 0.224f, 0.225f));

  /**
   * The step Lucid takes: pixels p = C x with C normalized by its largest column norm, the model input
   * m = (p - mean) / std; a gradient step on x moves m by D^-1 C C^T D^-1 g for the input gradient g.
   */
  private static double[] explicitStep(double[] g, double[] std) {
    double max = 0;
    for (int j = 0; j < 3; j++) max = Math.max(max, Math.sqrt(LUCID[0][j] * LUCID[0][j] + LUCID[1][j] * LUCID[1][j] + LUCID[2][j] * LUCID[2][j]));
    double[] pixelGradient = new double[3];
    for (int i = 0; i < 3; i++) pixelGradient[i] = g[i] / std[i];
    double[] xGradient = new double[3];
    for (int j = 0; j < 3; j++) for (int i = 0; i < 3; i++) xGradient[j] += LUCID[i][j] / max * pixelGradient[i];
    double[] step = new double[3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) step[i] += LUCID[i][j] / max * xGradient[j];
      step[i] /= std[i];
    }
    return step;
  }

  @Test
  void stepIsLucidsParameterizationStepScaledToTraceThree() {
    ColorDecorrelation colors = new ColorDecorrelation(new InputSpace(IMAGENET));
    double[] p = colors.matrix();
    assertEquals(3, p[0] + p[4] + p[8], 1e-12, "mean eigenvalue 1");
    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) assertEquals(p[i * 3 + j], p[j * 3 + i], 1e-12, "symmetric");
    Random random = new Random(3);
    Tensor g = Tensor.zeros(1, 3, 2, 5);
    for (int i = 0; i < g.size(); i++) g.data()[i] = (float) random.nextGaussian();
    Tensor got = colors.apply(g);
    double[] std = {0.229, 0.224, 0.225};
    double scale = Double.NaN;
    for (int pixel = 0; pixel < 10; pixel++) {
      double[] gp = {g.data()[pixel], g.data()[10 + pixel], g.data()[20 + pixel]};
      double[] expected = explicitStep(gp, std);
      for (int c = 0; c < 3; c++) {
        double ratio = got.data()[c * 10 + pixel] / expected[c];
        if (Double.isNaN(scale)) scale = ratio;
        assertEquals(scale, ratio, 1e-4 * scale, "pixel " + pixel + " channel " + c + ": one positive scale for all");
      }
    }
    assertTrue(scale > 0);
  }

  @Test
  void brightnessMovesFarMoreThanColour() {
    ColorDecorrelation colors = new ColorDecorrelation(new InputSpace(IMAGENET));
    Tensor grey = colors.apply(Tensor.of(new float[] {1, 1, 1}, 1, 3, 1, 1));
    Tensor redGreen = colors.apply(Tensor.of(new float[] {1, -1, 0}, 1, 3, 1, 1));
    double greyGain = norm(grey.data()) / Math.sqrt(3);
    double colourGain = norm(redGreen.data()) / Math.sqrt(2);
    assertTrue(greyGain > 2.5, "ImageNet's colours vary mostly in brightness: " + greyGain);
    assertTrue(colourGain < 0.2, "red against green is rare: " + colourGain);
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) s += x * x;
    return Math.sqrt(s);
  }

  /** f(I) = w . I on 3x4x4 images. */
  private static Model linearRgb(float[] w) {
    GraphBuilder b = new GraphBuilder("linear", 13);
    String x = b.input("input", 1, 3, 4, 4);
    String flat = b.node("Flatten", "/flatten/Flatten", List.of(x), Map.of("axis", 1L));
    String weights = b.initializer("w", Tensor.of(w.clone(), 1, 48));
    b.output(b.node("Gemm", "/fc/Gemm", List.of(flat, weights), Map.of("transB", 1L)));
    return new Model(b.build(StandardOps.registry()), "linear rgb");
  }

  @Test
  void linearModelStillReachesTheClosedFormOptimum() {
    // A positive definite preconditioner changes the path, not the optimum w / (2 lambda).
    Random random = new Random(7);
    float[] w = new float[48];
    for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian();
    GradientAscent.Options options = GradientAscent.Options.defaults().withSteps(1200).withLearningRate(0.15).withL2(1)
        .withClip(false).withNormalizedSteps(false).withDecorrelate(true);
    GradientAscent.Result r = GradientAscent.run(linearRgb(w), IMAGENET, new Objective.ClassScore(0),
        new GradientAscent.Noise(4, 4, 0.3, 5), options, StepListener.NONE, () -> false);
    for (int i = 0; i < 48; i++) assertEquals(w[i] / 2, r.image().data()[i], 1e-4, "value " + i);
  }

  @Test
  void objectiveRisesOnASmallRgbNetworkWithFourierAndColour() {
    Model model = new Model(Architecture.tiny(3, 12, 12, 3).build(11, Map.of()), "tiny rgb");
    for (int k = 0; k < 3; k++) {
      GradientAscent.Options options = GradientAscent.Options.defaults().withSteps(24).withJitter(1).withFourier(true)
          .withDecorrelate(true);
      GradientAscent.Result r = GradientAscent.run(model, IMAGENET, new Objective.ClassScore(k), new GradientAscent.Blank(12, 12),
          options, StepListener.NONE, () -> false);
      double[] f = r.objective();
      assertTrue(f[f.length - 1] > f[0] + 0.1 * Math.abs(f[0]) + 1e-3, "class " + k + ": " + f[0] + " -> " + f[f.length - 1]);
      for (float v : r.image().data()) assertTrue(Float.isFinite(v));
    }
  }

  @Test
  void greyModelsAreRefused() {
    Model grey = TinyModels.tiny(1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradientAscent.run(grey,
        TinyModels.preprocessing(), new Objective.ClassScore(0), new GradientAscent.Blank(12, 12),
        GradientAscent.Options.defaults().withSteps(2).withDecorrelate(true), StepListener.NONE, () -> false));
    assertEquals("colour decorrelation needs RGB inputs, but the model takes 1 channel(s); leave it off", e.getMessage());
  }
}
