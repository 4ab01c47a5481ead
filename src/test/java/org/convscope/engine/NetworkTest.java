package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.engine.ops.Relu;
import org.convscope.engine.ops.StandardOps;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NetworkTest {
  /** x -> relu -> y; y -> relu -> a; y -> relu -> b. Both a and b are outputs, so y's gradient sums two paths. */
  private static Network diamond() {
    GraphBuilder b = new GraphBuilder("diamond", 13);
    String x = b.input("x", -1, 4);
    String y = b.node("Relu", "/y/Relu", List.of(x), Map.of());
    String a = b.node("Relu", "/a/Relu", List.of(y), Map.of());
    String c = b.node("Relu", "/b/Relu", List.of(y), Map.of());
    b.output(a).output(c);
    return new Network(b.build(StandardOps.registry()));
  }

  private static final Tensor X = Tensor.of(new float[] {-1, 2, -3, 4}, 1, 4);

  @Test
  void gradientsFromTwoConsumersAreSummed() {
    Network net = diamond();
    Trace trace = net.forward(Map.of("x", X), ForwardOptions.forBackward());
    Map<String, Tensor> seeds = Map.of(
        "/a/Relu_output_0", Tensor.of(new float[] {1, 1, 1, 1}, 1, 4),
        "/b/Relu_output_0", Tensor.of(new float[] {10, -10, 10, 10}, 1, 4));
    Map<String, Tensor> g = net.backward(trace, seeds, List.of("x", "/y/Relu_output_0"), BackwardRules.DEFAULT);
    assertArrayEquals(new float[] {0, -9, 0, 11}, g.get("/y/Relu_output_0").data());
    assertArrayEquals(new float[] {0, -9, 0, 11}, g.get("x").data());
  }

  /**
   * A residual connection, s = relu(x) + x and out = relu(s) + s: Add hands one gradient array to both of its
   * inputs, and the sums where the branches meet must not write into it.
   */
  @Test
  void residualConnectionsShareTheirGradientSafely() {
    GraphBuilder b = new GraphBuilder("residual", 13);
    String x = b.input("x", -1, 4);
    String r = b.node("Relu", "/r/Relu", List.of(x), Map.of());
    String s = b.node("Add", "/s/Add", List.of(r, x), Map.of());
    String t = b.node("Relu", "/t/Relu", List.of(s), Map.of());
    String out = b.node("Add", "/out/Add", List.of(t, s), Map.of());
    b.output(out);
    Network net = new Network(b.build(StandardOps.registry()));
    Trace trace = net.forward(Map.of("x", X), ForwardOptions.forBackward());
    Tensor seed = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);
    Map<String, Tensor> g = net.backward(trace, Map.of(out, seed), List.of("x", s), BackwardRules.DEFAULT);
    // s = {-1, 4, -3, 8}: ds = seed * (1 + [s > 0]); dx = ds * (1 + [x > 0]).
    assertArrayEquals(new float[] {1, 4, 3, 8}, g.get(s).data());
    assertArrayEquals(new float[] {1, 8, 3, 16}, g.get("x").data());
    assertArrayEquals(new float[] {1, 2, 3, 4}, seed.data(), "the seed is left as it was");
  }

  @Test
  void backwardRuleOverrideLeavesModelUntouched() {
    Network net = diamond();
    Trace trace = net.forward(Map.of("x", X), ForwardOptions.forBackward());
    Map<String, Tensor> seeds = Map.of("/a/Relu_output_0", Tensor.of(new float[] {1, -1, 1, -1}, 1, 4));
    Tensor guided = net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT.with("Relu", Relu.GUIDED)).get("x");
    assertArrayEquals(new float[] {0, 0, 0, 0}, guided.data(), "negative gradients are stopped at the outer ReLU");
    Tensor deconv = net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT.with("Relu", Relu.DECONVNET)).get("x");
    assertArrayEquals(new float[] {1, 0, 1, 0}, deconv.data());
    Tensor plain = net.backward(trace, seeds, List.of("x"), BackwardRules.DEFAULT).get("x");
    assertArrayEquals(new float[] {0, -1, 0, -1}, plain.data());
  }

  @Test
  void nonRecordedRunKeepsOnlyOutputsAndAskedTensors() {
    Network net = diamond();
    Trace trace = net.forward(Map.of("x", X), new ForwardOptions(Set.of("/y/Relu_output_0"), false, false));
    assertTrue(trace.has("/y/Relu_output_0"));
    assertTrue(trace.has("/a/Relu_output_0"));
    assertFalse(trace.has("x"));
    assertArrayEquals(new float[] {0, 2, 0, 4}, trace.get("/y/Relu_output_0").data());
    assertThrows(IllegalArgumentException.class, () -> net.backward(trace, Map.of(), List.of("x"), BackwardRules.DEFAULT));
  }

  @Test
  void badFeedsAreExplained() {
    Network net = diamond();
    InvalidInputException shape = assertThrows(InvalidInputException.class,
        () -> net.forward(Map.of("x", Tensor.zeros(1, 5)), ForwardOptions.inference()));
    assertEquals("input 'x' expects shape [N,4], got [1,5]", shape.getMessage());
    InvalidInputException name = assertThrows(InvalidInputException.class,
        () -> net.forward(Map.of("image", X), ForwardOptions.inference()));
    assertEquals("the model has no input named 'image'; its inputs are [x]", name.getMessage());
    Trace trace = net.forward(Map.of("x", X), ForwardOptions.forBackward());
    InvalidInputException seed = assertThrows(InvalidInputException.class,
        () -> net.backward(trace, Map.of("/a/Relu_output_0", Tensor.zeros(4)), List.of("x"), BackwardRules.DEFAULT));
    assertTrue(seed.getMessage().contains("has shape [4] but the tensor has shape [1, 4]"), seed.getMessage());
  }

  @Test
  void concurrentRunsShareOneNetwork() throws Exception {
    Network net = diamond();
    Thread[] threads = new Thread[4];
    Throwable[] failures = new Throwable[threads.length];
    for (int t = 0; t < threads.length; t++) {
      int id = t;
      threads[t] = new Thread(() -> {
        try {
          for (int i = 0; i < 200; i++) {
            Tensor in = Tensor.of(new float[] {id, -id, i, -i}, 1, 4);
            Tensor out = net.predict(in);
            assertArrayEquals(new float[] {id, 0, i, 0}, out.data());
          }
        } catch (Throwable e) {
          failures[id] = e;
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) t.join();
    for (Throwable f : failures) if (f != null) throw new AssertionError(f);
  }
}
