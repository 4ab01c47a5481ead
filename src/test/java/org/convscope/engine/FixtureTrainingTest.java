package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.convscope.Fixtures;
import org.convscope.onnx.OnnxImporter;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Training a user's network further: torchvision's ResNet-18 as exported with its batch norms (the
 * {@code resnet18_bn} fixture: residual Adds, a 3x3 stride-2 max pooling with padding, batch norms before
 * Adds and before ReLUs) takes the same logits, running statistics and, within what rounding does to a
 * ReLU network's gradients, weight gradients from a step that oneDNN runs in its own layouts as from the
 * plain ops, which a run keeping every tensor computes.
 */
class FixtureTrainingTest {

  @Test
  void aTorchvisionResNetTrainsFusedAsItsPlainOps() {
    Graph graph = OnnxImporter.load(Fixtures.dir("resnet18_bn").resolve("model.onnx"));
    Network network = new Network(graph);
    Tensor x = GradCheck.randn(81, 0, 2, 3, 224, 224);
    Set<String> all = new HashSet<>();
    for (Node node : graph.nodes()) all.addAll(node.outputs());
    Map<String, Tensor> plain = step(network, x, new ForwardOptions(all, true, true, Set.of(), null));
    Map<String, Tensor> fused = step(network, x, ForwardOptions.forTraining(new ArrayPool()));
    assertTrue(plain.size() > 100, "weights, statistics and logits compared: " + plain.size());
    for (String name : plain.keySet()) {
      // The forward values agree to about 1e-5; ReLUs whose input lies that close to 0 then pass or stop a
      // gradient in one run and not the other, and batch norms over the last stage's 2 x 7 x 7 values spread
      // that: perturbing the input by 2e-5 of itself moves the plain step's own gradients by 1 to 3% in norm.
      double tolerance = name.startsWith("gradient of ") ? 0.05 : 1e-4;
      Fixtures.assertCloseInNorm(plain.get(name).data(), fused.get(name).data(), tolerance, name);
    }
  }

  /** The logits, every float initializer's gradient and the running statistics after one step on {@code x}. */
  private static Map<String, Tensor> step(Network network, Tensor x, ForwardOptions options) {
    Graph graph = network.graph();
    Map<String, float[]> before = new HashMap<>();
    graph.initializers().forEach((k, v) -> {
      if (v.isFloat()) before.put(k, v.data().clone());
    });
    Map<String, Tensor> values = new HashMap<>();
    try (Trace trace = network.forward(Map.of(network.inputName(), x), options)) {
      try {
        Tensor logits = trace.get(network.outputName());
        values.put("logits", Tensor.of(logits.data().clone(), logits.shape()));
        Tensor seed = GradCheck.randn(82, 0, logits.shape());
        // The weights, as a trainer takes them: not the running statistics, which follow the batches.
        Set<String> weights = new HashSet<>(before.keySet());
        for (Node node : graph.nodes()) {
          if (node.opType().equals("BatchNormalization")) weights.removeAll(node.inputs().subList(3, 5));
        }
        network.backward(trace, Map.of(network.outputName(), seed), weights, BackwardRules.DEFAULT)
            .forEach((k, v) -> values.put("gradient of " + k, Tensor.of(v.data().clone(), v.shape())));
        trace.context().applyStateUpdates();
      } finally {
        trace.context().endStep();
      }
    }
    before.forEach((k, v) -> {
      Tensor t = graph.initializers().get(k);
      if (!java.util.Arrays.equals(v, t.data())) values.put("updated " + k, Tensor.of(t.data().clone(), t.shape()));
      System.arraycopy(v, 0, t.data(), 0, v.length);
      t.markModified();
    });
    return values;
  }
}
