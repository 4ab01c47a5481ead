package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Graph;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;

/**
 * Checks of a network whose runs keep tensors held between oneDNN's ops, against ONNX Runtime and against a
 * run that keeps every tensor (so computes on arrays): for the small ConvNeXt, DenseNet and ShuffleNet tests.
 */
final class HeldRuns {
  private HeldRuns() {}

  /**
   * Runs {@code graph} on {@code x} unrecorded, recorded and on arrays, and checks all of it: the outputs, the
   * gradients to {@code wrt} (from a random seed drawn with {@code seed}) and the tensors named
   * {@code computedAgain} after the recorded trace is closed.
   */
  static void check(Graph graph, Tensor x, List<String> wrt, int seed, String... computedAgain) {
    Network network = new Network(graph);
    Tensor unrecorded = network.predict(x);
    Trace recorded = network.forward(Map.of(network.inputName(), x), ForwardOptions.forBackward());
    Trace plain = network.forward(Map.of(network.inputName(), x), CountingConv.unfused(network));
    assertOutputsMatch(network, graph, x, unrecorded, recorded, plain);
    assertGradientsMatch(network, recorded, plain, wrt, seed);
    assertComputedAgainAfterClose(recorded, plain, computedAgain);
  }

  /** The output of a run that records nothing, of one recorded for a backward pass and of one on arrays. */
  static void assertOutputsMatch(Network network, Graph graph, Tensor x, Tensor unrecorded, Trace recorded,
      Trace plain) {
    String out = network.outputName();
    float[] expected = OnnxRuntimeReference.runGraph(graph, x);
    assertArrayEquals(plain.get(out).shape(), unrecorded.shape());
    Fixtures.assertClose(expected, unrecorded.data(), 1e-4, 1e-5, "unrecorded run vs ONNX Runtime");
    Fixtures.assertClose(expected, recorded.get(out).data(), 1e-4, 1e-5, "recorded run vs ONNX Runtime");
    Fixtures.assertClose(expected, plain.get(out).data(), 1e-4, 1e-5, "arrays vs ONNX Runtime");
  }

  /** The gradients to {@code wrt} of a random seed on the output, from the recorded run and from the one on arrays. */
  static void assertGradientsMatch(Network network, Trace recorded, Trace plain, List<String> wrt, int seed) {
    String out = network.outputName();
    Tensor dy = GradCheck.randn(seed, 0, plain.get(out).shape());
    Map<String, Tensor> fromArrays = network.backward(plain, Map.of(out, dy), wrt, BackwardRules.DEFAULT);
    Map<String, Tensor> fromHeld = network.backward(recorded, Map.of(out, dy), wrt, BackwardRules.DEFAULT);
    for (String name : wrt) {
      Fixtures.assertClose(fromArrays.get(name).data(), fromHeld.get(name).data(), 1e-4, 1e-6, "gradient of " + name);
    }
  }

  /** Closes the recorded trace, then checks tensors it computes again against the run on arrays. */
  static void assertComputedAgainAfterClose(Trace recorded, Trace plain, String... names) {
    recorded.close();
    for (String name : names) {
      Fixtures.assertClose(plain.get(name).data(), recorded.get(name).data(), 1e-4, 1e-6, name + " after close");
    }
  }
}
