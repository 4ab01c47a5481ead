package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.dnnl.NativeBuffer;
import org.convscope.engine.dnnl.NativeMemory;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A training step keeps the activations between a convolution, its batch norm and ReLU, a max pooling and the
 * next convolution held in oneDNN's layout; the batch norm and the pooling keep their statistics and mask for
 * the backward pass, which takes them; a step that fails frees all of it. (The values are checked against the
 * plain ops in {@code TrainingFusionTest}.)
 */
class HeldTrainingStepTest {
  private static final String CONV1 = "/c1/Conv_output_0";
  private static final String RELU = "/r/Relu_output_0";
  private static final String POOL = "/p/MaxPool_output_0";

  /** x -> conv -> batch norm -> Relu -> max pool -> conv -> tripwire. */
  private static Network network() {
    GraphBuilder b = new GraphBuilder("held-step", 15);
    String x = b.input("x", -1, 3, 10, 8);
    Map<String, Object> same = Map.of("pads", new long[] {1, 1, 1, 1});
    String c1 = b.node("Conv", "/c1/Conv", List.of(x, b.initializer("w1", GradCheck.randn(61, 0, 12, 3, 3, 3))), same);
    Tensor ones = Tensor.full(1f, 12);
    String bn = b.node("BatchNormalization", "/bn/BatchNormalization", List.of(c1, b.initializer("scale", ones),
        b.initializer("bias", Tensor.zeros(12)), b.initializer("mean", Tensor.zeros(12)),
        b.initializer("var", Tensor.full(1f, 12))), Map.of());
    String relu = b.node("Relu", "/r/Relu", List.of(bn), Map.of());
    String pool = b.node("MaxPool", "/p/MaxPool", List.of(relu),
        Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}));
    String c2 = b.node("Conv", "/c2/Conv", List.of(pool, b.initializer("w2", GradCheck.randn(62, 0, 4, 12, 3, 3))),
        same);
    b.output(b.node("Tripwire", "/trip/Tripwire", List.of(c2), Map.of()));
    return new Network(b.build(Tripwire.registry()));
  }

  private final Network net = network();
  private final Tensor x = GradCheck.randn(63, 0, 4, 3, 10, 8);

  @Test
  void activationsStayHeldAndTheBackwardPassTakesWhatTheForwardKept() {
    ArrayPool arrays = new ArrayPool();
    step(arrays);
    long before = NativeMemory.settledLiveBytes();
    try (Trace trace = net.forward(Map.of("x", x), ForwardOptions.forTraining(arrays))) {
      for (String held : new String[] {CONV1, RELU, POOL}) assertNotNull(trace.held(held), held + " is held");
      Tensor seed = GradCheck.randn(64, 0, trace.get(net.outputName()).shape());
      net.backward(trace, Map.of(net.outputName(), seed), Set.of("w1", "scale", "bias", "w2"), BackwardRules.DEFAULT);
      long afterBackward = NativeBuffer.liveBytes();
      trace.context().endStep();
      assertEquals(afterBackward, NativeBuffer.liveBytes(), "the pooling's mask was taken by its backward pass");
    }
    assertEquals(before, NativeBuffer.liveBytes(), "native bytes left allocated by the step");
  }

  @Test
  void aStepThatFailsAfterThePoolingFreesWhatItHeldAndKept() {
    ArrayPool arrays = new ArrayPool();
    step(arrays);
    long before = NativeMemory.settledLiveBytes();
    Tripwire.failing = true;
    try {
      for (int i = 0; i < 3; i++) {
        assertThrows(RuntimeException.class, () -> net.forward(Map.of("x", x), ForwardOptions.forTraining(arrays)));
      }
    } finally {
      Tripwire.failing = false;
    }
    assertEquals(before, NativeBuffer.liveBytes(), "native bytes left allocated by the failed steps");
  }

  /**
   * A residual block, x -> conv -> Relu -> conv -> Add(., Relu's output) -> Relu -> conv, trained as oneDNN
   * fuses it (the Add and the second Relu as post-ops of the forward-training convolution) gives the gradients
   * of the plain ops, which a run keeping every tensor computes.
   */
  @Test
  void aResidualBlockTrainsFusedAsItsPlainOps() {
    GraphBuilder b = new GraphBuilder("residual", 13);
    String in = b.input("x", -1, 8, 6, 7);
    Map<String, Object> same = Map.of("pads", new long[] {1, 1, 1, 1});
    String w = b.initializer("w", GradCheck.randn(71, 0, 8, 8, 3, 3));
    String r1 = b.node("Relu", "/r1/Relu", List.of(b.node("Conv", "/c1/Conv", List.of(in, w), same)), Map.of());
    String c2 = b.node("Conv", "/c2/Conv", List.of(r1, w, b.initializer("b2", GradCheck.randn(72, 0, 8))), same);
    String r2 = b.node("Relu", "/r2/Relu", List.of(b.node("Add", "/add/Add", List.of(c2, r1), Map.of())), Map.of());
    b.output(b.node("Conv", "/c3/Conv", List.of(r2, w), same));
    Graph graph = b.build(Tripwire.registry());
    Network residual = new Network(graph);
    Tensor input = GradCheck.randn(73, 0, 3, 8, 6, 7);
    Set<String> all = new java.util.HashSet<>();
    for (Node node : graph.nodes()) all.addAll(node.outputs());
    Map<String, Tensor> plain = gradients(residual, input, new ForwardOptions(all, true, true, Set.of(), null));
    Map<String, Tensor> fused = gradients(residual, input, ForwardOptions.forTraining(new ArrayPool()));
    for (String name : List.of("x", "w", "b2")) {
      org.convscope.Fixtures.assertClose(plain.get(name), fused.get(name), 1e-5, "gradient of " + name);
    }
  }

  private static Map<String, Tensor> gradients(Network net, Tensor input, ForwardOptions options) {
    try (Trace trace = net.forward(Map.of("x", input), options)) {
      Tensor seed = GradCheck.randn(74, 0, trace.get(net.outputName()).shape());
      Map<String, Tensor> grads = net.backward(trace, Map.of(net.outputName(), seed), Set.of("x", "w", "b2"),
          BackwardRules.DEFAULT);
      trace.context().endStep();
      return grads;
    }
  }

  /** A whole step, so that primitives and the thread's spare buffers exist before counting. */
  private void step(ArrayPool arrays) {
    try (Trace trace = net.forward(Map.of("x", x), ForwardOptions.forTraining(arrays))) {
      Tensor seed = GradCheck.randn(64, 0, trace.get(net.outputName()).shape());
      net.backward(trace, Map.of(net.outputName(), seed), Set.of("w1", "w2"), BackwardRules.DEFAULT);
      trace.context().endStep();
    }
  }
}
