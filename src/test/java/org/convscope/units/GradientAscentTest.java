package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.engine.ops.StandardOps;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GradientAscentTest {
  private static final float[] W = {0.5f, -1, 2, 0.25f, 1, 0, -0.5f, 1.5f, -2, 0.75f, 1, -1, 0.1f, 0.3f, -0.7f, 1.2f};

  /** f(I) = w . I on 4x4 grey images: Flatten, then a Gemm with one output and no bias. */
  private static Model linear() {
    GraphBuilder b = new GraphBuilder("linear", 13);
    String x = b.input("input", 1, 1, 4, 4);
    String flat = b.node("Flatten", "/flatten/Flatten", List.of(x), Map.of("axis", 1L));
    String w = b.initializer("w", Tensor.of(W.clone(), 1, 16));
    String y = b.node("Gemm", "/fc/Gemm", List.of(flat, w), Map.of("transB", 1L));
    b.output(y);
    return new Model(b.build(StandardOps.registry()), "linear");
  }

  private static GradientAscent.Options plain(int steps, double lr, double l2) {
    return GradientAscent.Options.defaults().withSteps(steps).withLearningRate(lr).withL2(l2).withClip(false)
        .withNormalizedSteps(false);
  }

  private static GradientAscent.Result run(Model model, Objective objective, GradientAscent.Start start, GradientAscent.Options options) {
    return GradientAscent.run(model, Preprocessing.plain(1), objective, start, options, StepListener.NONE, () -> false);
  }

  @Test
  void linearModelReachesTheClosedFormOptimum() {
    // argmax w.I - lambda ||I||^2 is I = w / (2 lambda); here lambda = 1.
    for (boolean fourier : new boolean[] {false, true}) {
      GradientAscent.Result r = run(linear(), new Objective.ClassScore(0), new GradientAscent.Noise(4, 4, 0.3, 5),
          plain(fourier ? 150 : 60, 0.25, 1.0).withFourier(fourier));
      for (int i = 0; i < 16; i++) assertEquals(W[i] / 2, r.image().data()[i], 1e-5, "pixel " + i + ", fourier " + fourier);
      double wSquared = 0;
      for (float w : W) wSquared += w * w;
      assertEquals(wSquared / 2, r.objective()[r.objective().length - 1], 1e-4);
      assertEquals(wSquared / 4, r.regularized()[r.regularized().length - 1], 1e-4, "the objective's maximum, |w|^2 / (4 lambda)");
      for (int t = 1; t < r.regularized().length; t++) {
        // It never falls, up to float rounding of the image near the optimum.
        assertTrue(r.regularized()[t] >= r.regularized()[t - 1] - 1e-5, "the regularized objective never falls: step " + t);
      }
    }
  }

  @Test
  void withL2TheImageNormStaysWithinTheBoundOfItsGradients() {
    // A plain step with lr * 2 lambda <= 1 is a convex mix of I and g / (2 lambda), so
    // ||I_t|| <= max(||I_0||, max over earlier steps of ||g_s|| / (2 lambda)). Without L2 the norm grows on.
    Model model = TinyModels.tiny(4);
    Objective objective = new Objective.ClassScore(1);
    GradientAscent.Start start = new GradientAscent.Noise(12, 12, 0.2, 1);
    double lambda = 0.5;
    GradientAscent.Result r = run(model, objective, start, plain(40, 0.5, lambda).withSnapshotEvery(1));
    double bound = norm(r.snapshots().get(0).image());
    for (GradientAscent.Snapshot s : r.snapshots()) {
      double n = norm(s.image());
      assertTrue(n <= bound * (1 + 1e-4), "step " + s.step() + ": norm " + n + " within " + bound);
      bound = Math.max(bound, norm(gradient(model, s.image(), 1)) / (2 * lambda));
    }
    GradientAscent.Result free = run(model, objective, start, plain(40, 0.5, 0));
    assertTrue(norm(free.image()) > 3 * norm(r.image()), "without L2 the image grows: " + norm(free.image()) + " vs " + norm(r.image()));
    assertTrue(free.objective()[40] > r.objective()[40]);
  }

  @Test
  void everyObjectiveRisesWithEveryRegularizer() {
    Model model = TinyModels.tiny(5);
    GradientAscent.Options options = GradientAscent.Options.defaults().withSteps(24).withLearningRate(0.05).withL2(1e-3)
        .withJitter(1).withBlur(8, 0.5).withTotalVariation(1e-3).withFourier(true).withSnapshotEvery(8);
    for (Objective objective : List.of(new Objective.ClassScore(2), new Objective.ChannelMean("stage2.relu1", 3),
        new Objective.Neuron("stage1.relu1", 4, 5, 6))) {
      // Not from grey: it is the model input 0, where this bias-free ReLU network has no gradient at all.
      GradientAscent.Result r = GradientAscent.run(model, TinyModels.preprocessing(), objective, new GradientAscent.Noise(12, 12, 0.1, 3),
          options, StepListener.NONE, () -> false);
      double first = r.objective()[0];
      double last = r.objective()[24];
      assertTrue(last > first + 0.5, objective.describe() + " rose from " + first + " to " + last);
      assertEquals(List.of(0, 8, 16, 24), r.snapshots().stream().map(GradientAscent.Snapshot::step).toList());
      // Clipped to the images whose pixels lie in [0,1]: (0 - 0.5) / 0.25 to (1 - 0.5) / 0.25.
      for (float v : r.image().data()) assertTrue(v >= -2 && v <= 2, "clipped: " + v);
    }
  }

  @Test
  void badObjectivesAndStartsAreExplained() {
    Model model = TinyModels.tiny(6);
    GradientAscent.Start blank = new GradientAscent.Blank(12, 12);
    GradientAscent.Options options = GradientAscent.Options.defaults().withSteps(2);
    assertEquals("class 3 is out of range: the model has 3 classes (0 to 2)", message(model, new Objective.ClassScore(3), blank, options));
    assertEquals("channel 16 is out of range: layer 'stage2.relu1' has 16 channels (0 to 15)",
        message(model, new Objective.ChannelMean("stage2.relu1", 16), blank, options));
    assertEquals("position (6,0) is outside layer 'stage2.relu1''s 6x6 map",
        message(model, new Objective.Neuron("stage2.relu1", 0, 6, 0), blank, options));
    assertEquals("layer 'fc' has no spatial map (output [1,3]), so it has no neuron at a position; use channel:fc:0",
        message(model, new Objective.Neuron("fc", 0, 0, 0), blank, options));
    Tensor nan = Tensor.zeros(1, 1, 12, 12);
    nan.data()[3] = Float.NaN;
    assertEquals("the start image holds 1 NaN or infinite values", message(model, new Objective.ClassScore(0), new GradientAscent.Given(nan), options));
    assertEquals("the objective class:0 is Infinity at step 1; try a smaller learning rate",
        assertThrows(InvalidInputException.class, () -> run(linear(), new Objective.ClassScore(0), new GradientAscent.Blank(4, 4),
            plain(3, 1e38, 0))).getMessage());
    assertThrows(CancellationException.class, () -> GradientAscent.run(model, TinyModels.preprocessing(), new Objective.ClassScore(0),
        blank, options, StepListener.NONE, () -> true));
    assertThrows(IllegalArgumentException.class, () -> options.withLearningRate(Double.NaN));
  }

  @Test
  void aModelThatComputesNaNIsReportedAtTheFirstStep() {
    GraphBuilder b = new GraphBuilder("nan", 13);
    String x = b.input("input", 1, 1, 2, 2);
    String zero = b.node("Sub", "/zero/Sub", List.of(x, x), Map.of());
    String ratio = b.node("Div", "/ratio/Div", List.of(zero, zero), Map.of());
    b.output(b.node("Flatten", "/flatten/Flatten", List.of(ratio), Map.of("axis", 1L)));
    Model model = new Model(b.build(StandardOps.registry()), "nan");
    assertEquals("the objective class:0 is NaN at step 0 for the start image",
        assertThrows(InvalidInputException.class, () -> run(model, new Objective.ClassScore(0), new GradientAscent.Blank(2, 2),
            plain(3, 0.1, 0))).getMessage());
  }

  private static String message(Model model, Objective objective, GradientAscent.Start start, GradientAscent.Options options) {
    return assertThrows(InvalidInputException.class, () -> GradientAscent.run(model, TinyModels.preprocessing(), objective, start,
        options, StepListener.NONE, () -> false)).getMessage();
  }

  /** The gradient of logit k at the image, straight from the engine. */
  private static Tensor gradient(Model model, Tensor image, int k) {
    Network net = model.network();
    Trace trace = net.forward(Map.of(net.inputName(), image), ForwardOptions.forBackward());
    Tensor seed = Tensor.zeros(trace.get(net.outputName()).shape());
    seed.data()[k] = 1;
    return net.backward(trace, Map.of(net.outputName(), seed), List.of(net.inputName()), BackwardRules.DEFAULT).get(net.inputName());
  }

  private static double norm(Tensor t) {
    return Math.sqrt(ImageMath.squaredNorm(t));
  }
}
