package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.convscope.Fixtures;
import org.convscope.model.Model;
import org.convscope.tensor.Npy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Integrated gradients' completeness on whole torchvision networks: 128 forward and backward passes each. */
@Tag("slow")
class FixtureIntegratedGradientsTest {
  static List<String> fixtures() {
    return Fixtures.names();
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void attributionsAddUpToTheScoreDifferenceWithinOnePercent(String name) throws Exception {
    Path dir = Fixtures.dir(name);
    Model model = Model.load(dir.resolve("model.onnx"));
    Query query = Query.predicted(model, Npy.readFloat(dir.resolve("input.npy")), null);
    Attribution ig = new IntegratedGradients(IntegratedGradients.Options.defaults().withSteps(128)).explain(query);
    double delta = ig.diagnostics().get(IntegratedGradients.COMPLETENESS_DELTA)[0];
    double difference = ig.diagnostics().get(IntegratedGradients.SCORE_DIFFERENCE)[0];
    // mobilenet_v2's random weights and statistics leave its scores flat (its saliency is about 1e-11): there is
    // nothing to attribute, and a relative delta means nothing.
    assumeTrue(Math.abs(difference) > 1e-4, name + ": f(x) - f(baseline) = " + difference + ", too flat to test");
    assertTrue(Math.abs(delta) <= 0.01 * Math.abs(difference),
        name + ": completeness delta " + delta + " for f(x) - f(baseline) = " + difference);
    for (float v : ig.map().data()) assertTrue(Float.isFinite(v));
  }
}
