package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Conv inside a network: conv, ReLU, strided conv, with weights as initializers. The executor's gradients
 * with respect to the input and to the first layer's weights must match finite differences of the whole
 * network, which also checks that perturbing an initializer in place (with markModified) reaches oneDNN.
 */
class ConvNetworkTest {
  private final Tensor w1 = GradCheck.randn(1, 0, 3, 2, 3, 3);
  private final Tensor b1 = GradCheck.randn(2, 0, 3);
  private final Tensor w2 = GradCheck.randn(3, 0, 4, 3, 3, 3);
  private final Tensor x = GradCheck.randn(4, 0, 1, 2, 6, 6);
  private final Network net = build();
  private final Tensor seed = GradCheck.randn(5, 0, 1, 4, 3, 3);

  private Network build() {
    GraphBuilder b = new GraphBuilder("convs", 17);
    String in = b.input("x", -1, 2, 6, 6);
    String h = b.node("Conv", "/conv1/Conv", List.of(in, b.initializer("w1", w1), b.initializer("b1", b1)),
        Map.of("pads", new long[] {1, 1, 1, 1}));
    String r = b.node("Relu", "/relu/Relu", List.of(h), Map.of());
    String y = b.node("Conv", "/conv2/Conv", List.of(r, b.initializer("w2", w2)),
        Map.of("strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}));
    b.output(y);
    return new Network(b.build(StandardOps.registry()));
  }

  /** The network's output projected on the seed: the scalar whose gradient is taken. */
  private double loss() {
    Tensor y = net.predict(x);
    double sum = 0;
    for (int i = 0; i < y.size(); i++) sum += (double) y.data()[i] * seed.data()[i];
    return sum;
  }

  @Test
  void gradientsThroughTheNetworkMatchFiniteDifferences() {
    Trace trace = net.forward(Map.of("x", x), ForwardOptions.forBackward());
    Map<String, Tensor> grads = net.backward(trace, Map.of(net.outputName(), seed), List.of("x", "w1"),
        BackwardRules.DEFAULT);
    checkAgainstFiniteDifferences(x, grads.get("x"));
    checkAgainstFiniteDifferences(w1, grads.get("w1"));
  }

  private void checkAgainstFiniteDifferences(Tensor t, Tensor analytic) {
    double eps = 1e-3;
    for (int i = 0; i < t.size(); i += 3) {
      float saved = t.data()[i];
      t.data()[i] = (float) (saved + eps);
      t.markModified();
      double plus = loss();
      t.data()[i] = (float) (saved - eps);
      t.markModified();
      double minus = loss();
      t.data()[i] = saved;
      t.markModified();
      double numeric = (plus - minus) / (2 * eps);
      // A ReLU kink inside the step makes the difference quotient wrong; none are that close with this seed.
      if (Math.abs(numeric - analytic.data()[i]) > 2e-2 * Math.max(1, Math.abs(numeric))) {
        fail("element " + i + ": analytic " + analytic.data()[i] + ", numeric " + numeric);
      }
    }
  }
}
