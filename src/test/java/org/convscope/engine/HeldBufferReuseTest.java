package org.convscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.dnnl.NativeBuffer;
import org.convscope.engine.ops.StandardOps;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A run recorded for a gradient holds its activations in native buffers until the backward pass frees them; the
 * next run reuses them, so that its kernels write to memory already mapped rather than to fresh pages. This
 * network holds more tensors at once (about 80) than the 32 spares a workspace used to keep, and of several
 * sizes.
 */
class HeldBufferReuseTest {
  private static final int LAYERS = 40;

  /** x -> (Conv 3x3 -> Relu) x 40, the channels alternating between 8 and 16. */
  private static Network network() {
    GraphBuilder b = new GraphBuilder("deep-chain", 13);
    String t = b.input("x", -1, 8, 12, 12);
    Map<String, Object> same = Map.of("pads", new long[] {1, 1, 1, 1});
    int channels = 8;
    for (int i = 0; i < LAYERS; i++) {
      int out = i % 2 == 0 ? 16 : 8;
      Tensor w = GradCheck.randn(100 + i, 0, out, channels, 3, 3);
      for (int k = 0; k < w.size(); k++) w.data()[k] *= 0.3f;
      String conv = b.node("Conv", "/c" + i + "/Conv", List.of(t, b.initializer("w" + i, w)), same);
      t = b.node("Relu", "/r" + i + "/Relu", List.of(conv), Map.of());
      channels = out;
    }
    b.output(t);
    return new Network(b.build(StandardOps.registry()));
  }

  @Test
  void repeatedSaliencyRunsAllocateNoNativeBuffers() {
    Network net = network();
    Tensor x = GradCheck.randn(7, 0, 2, 8, 12, 12);
    List<Tensor> gradients = new ArrayList<>();
    long[] allocations = new long[4];
    for (int run = 0; run < 4; run++) {
      long before = NativeBuffer.allocations();
      try (Trace trace = net.forward(Map.of("x", x), ForwardOptions.forBackward())) {
        assertTrue(trace.held("/c20/Conv_output_0") != null || trace.held("/r20/Relu_output_0") != null,
            "the chain's activations are held");
        Tensor seed = Tensor.full(1f, trace.get(net.outputName()).shape());
        gradients.add(net.backward(trace, Map.of(net.outputName(), seed), List.of("x"), BackwardRules.DEFAULT)
            .get("x"));
      }
      allocations[run] = NativeBuffer.allocations() - before;
    }
    assertTrue(allocations[0] > 32, "the first run allocates its buffers: " + allocations[0]);
    assertEquals(0, allocations[2], "buffers allocated by the third run");
    assertEquals(0, allocations[3], "buffers allocated by the fourth run");
    for (int run = 1; run < 4; run++) {
      assertArrayEquals(gradients.get(0).data(), gradients.get(run).data(), "run " + run + " computes the same gradient");
    }
    // The reference: the ops' own Java backward passes, on arrays, which hold nothing.
    BackwardRule asArrays = (context, op, inputs, outputs, grads, needed) ->
        op.backward(context, inputs, outputs, grads, needed);
    try (Trace trace = net.forward(Map.of("x", x), ForwardOptions.forBackward())) {
      Tensor seed = Tensor.full(1f, trace.get(net.outputName()).shape());
      Tensor expected = net.backward(trace, Map.of(net.outputName(), seed), List.of("x"),
          BackwardRules.DEFAULT.with("Conv", asArrays).with("Relu", asArrays)).get("x");
      float largest = 0;
      for (float v : expected.data()) largest = Math.max(largest, Math.abs(v));
      assertTrue(largest > 0, "the gradient reaches x");
      Fixtures.assertClose(expected, gradients.get(0), 1e-5, "the gradient against the Java passes");
    }
  }
}
