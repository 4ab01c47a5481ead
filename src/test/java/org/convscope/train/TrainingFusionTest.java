package org.convscope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.ArrayPool;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Graph;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Trace;
import org.convscope.engine.dnnl.NativeBuffer;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A training step runs its convolutions, batch norms, ReLUs and max poolings through oneDNN, the activations
 * and gradients held in oneDNN's layout between them. Checked against the same step with every tensor kept,
 * which runs each node's own Java op (verified by finite differences in their tests): on channel counts that
 * are not multiples of 8 (oneDNN pads its blocks), a convolution with a bias, a strided one, a batch norm that
 * no ReLU follows, and a max pooling over an odd size, which leaves a row and a column out of its windows:
 * oneDNN cannot pool so, and the step runs that pooling in Java, between held tensors.
 */
class TrainingFusionTest {
  private static final Graph GRAPH = Architecture.builder("fusion", 3, 12, 10)
      .stage("s1").conv(12, 3, 1, true).batchNorm().relu().maxPool(2)
      .stage("s2").convBnRelu(5).conv(9, 3, 2, false).batchNorm().maxPool(2)
      .head().globalAveragePool().linear(4)
      .build().build(5, Map.of());

  @Test
  void fusedStepsGiveThePlainOpsGradientsAndStatistics() {
    Network network = new Network(GRAPH);
    Tensor x = GradCheck.randn(1, 0, 6, 3, 12, 10);
    Tensor seed = GradCheck.randn(2, 0, 6, 4);
    Step plain = step(network, x, seed, new ForwardOptions(allTensors(GRAPH), true, true, Set.of(), null));
    Step fused = step(network, x, seed, ForwardOptions.forTraining(new ArrayPool()));
    assertEquals(20, plain.values().size(), "parameters, input and statistics compared: " + plain.values().keySet());
    for (String name : plain.values().keySet()) {
      assertClose(plain.values().get(name), fused.values().get(name), name);
    }
  }

  @Test
  void stepsFreeTheNativeMemoryTheyHold() {
    Network network = new Network(GRAPH);
    ArrayPool arrays = new ArrayPool();
    long[] live = new long[4];
    for (int i = 0; i < live.length; i++) {
      step(network, GradCheck.randn(10 + i, 0, 6, 3, 12, 10), GradCheck.randn(20 + i, 0, 6, 4),
          ForwardOptions.forTraining(arrays));
      arrays.recycle();
      live[i] = NativeBuffer.liveBytes();
    }
    // The first steps create primitives and fill the thread's pool of spare buffers; then nothing grows.
    assertEquals(live[1], live[3], "native bytes after steps 2 and 4");
  }

  /** The logits, the gradients of the input and of every parameter, and the running statistics after the step. */
  private record Step(Map<String, Tensor> values) {}

  private static Step step(Network network, Tensor x, Tensor seed, ForwardOptions options) {
    Map<String, float[]> before = new HashMap<>();
    GRAPH.initializers().forEach((k, v) -> before.put(k, v.data().clone()));
    Set<String> wrt = new HashSet<>(Trainer.trainableParameters(GRAPH).keySet());
    wrt.add(network.inputName());
    Map<String, Tensor> values = new HashMap<>();
    try (Trace trace = network.forward(Map.of(network.inputName(), x), options)) {
      try {
        values.put("logits", copy(trace.get(network.outputName())));
        network.backward(trace, Map.of(network.outputName(), seed), wrt, BackwardRules.DEFAULT)
            .forEach((k, v) -> values.put("gradient of " + k, copy(v)));
        trace.context().applyStateUpdates();
      } finally {
        trace.context().endStep();
      }
    }
    for (Node node : GRAPH.nodes()) {
      if (!node.opType().equals("BatchNormalization")) continue;
      for (int j = 3; j < 5; j++) values.put(node.input(j), copy(GRAPH.initializers().get(node.input(j))));
    }
    // Back to the weights and statistics before the step, for the next one to start from.
    before.forEach((k, v) -> {
      Tensor t = GRAPH.initializers().get(k);
      System.arraycopy(v, 0, t.data(), 0, v.length);
      t.markModified();
    });
    return new Step(values);
  }

  private static Set<String> allTensors(Graph graph) {
    Set<String> names = new HashSet<>();
    for (Node node : graph.nodes()) names.addAll(node.outputs());
    return names;
  }

  private static Tensor copy(Tensor t) {
    return Tensor.of(t.data().clone(), t.shape());
  }

  /**
   * Within float rounding of sums taken in another order, relative to the largest value, with a floor for the
   * gradient of a bias before a batch norm: 0 in exact arithmetic, rounding noise of about 1e-6 in both.
   */
  private static void assertClose(Tensor expected, Tensor actual, String what) {
    float[] e = expected.data();
    float[] a = actual.data();
    assertEquals(e.length, a.length, what);
    double scale = 0;
    for (float v : e) scale = Math.max(scale, Math.abs(v));
    double worst = 0;
    for (int i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(e[i] - a[i]));
    assertTrue(worst <= 1e-5 * scale + 1e-5, what + ": differs by " + worst + " at a scale of " + scale);
  }
}
