package org.convscope.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ChannelAffineOp;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Op;
import org.convscope.engine.OpRegistry;
import org.convscope.engine.Trace;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A batch norm that only reads a Conv's output is folded into the convolution's weights and bias in runs that
 * fuse (inference, recorded or not), as PyTorch's exporter folds it in eval mode; the Add and ReLU after it
 * fuse as they would after the convolution. Values must match the unfolded run's, and gradients too, including
 * the batch norm's own parameters (whose backward reads the skipped convolution output, recomputed).
 */
class FusedBatchNormTest {
  private static final int C = 8;
  private final Tensor x = GradCheck.randn(1, 0, 2, C, 9, 7);
  private final AtomicInteger batchNormRuns = new AtomicInteger();
  private final Map<String, Tensor> feeds = Map.of("x", x);
  private final Tensor scale1 = GradCheck.randn(9, 0, C);
  private final Network net = network();

  private static Tensor positive(long seed) {
    Tensor t = GradCheck.randn(seed, 0, C);
    for (int i = 0; i < t.size(); i++) t.data()[i] = 0.5f + Math.abs(t.data()[i]);
    return t;
  }

  /** x -> conv(bias) -> bn -> relu -> conv -> bn -> Add(r1) -> relu -> conv -> bn (the output). */
  private Network network() {
    GraphBuilder b = new GraphBuilder("conv-bn", 13);
    String r = b.input("x", -1, C, 9, 7);
    for (int k = 1; k <= 3; k++) {
      List<String> convInputs = k == 1
          ? List.of(r, b.initializer("w1", GradCheck.randn(11, 0, C, C, 3, 3)), b.initializer("b1", GradCheck.randn(12, 0, C)))
          : List.of(r, b.initializer("w" + k, GradCheck.randn(10 + 3 * k, 0, C, C, 3, 3)));
      String conv = b.node("Conv", "/c" + k + "/Conv", convInputs, Map.of("pads", new long[] {1, 1, 1, 1}));
      String bn = b.node("BatchNormalization", "/bn" + k + "/BatchNormalization", List.of(conv,
          k == 1 ? b.initializer("scale1", scale1) : b.initializer("scale" + k, GradCheck.randn(20 + k, 0, C)),
          b.initializer("shift" + k, GradCheck.randn(30 + k, 0, C)), b.initializer("mean" + k, GradCheck.randn(40 + k, 0, C)),
          b.initializer("var" + k, positive(50 + k))), Map.of("epsilon", 1e-3f));
      if (k == 3) {
        b.output(bn);
        break;
      }
      String in = k == 2 ? b.node("Add", "/a2/Add", List.of(bn, r), Map.of()) : bn;
      r = b.node("Relu", "/r" + k + "/Relu", List.of(in), Map.of());
    }
    OpRegistry registry = new OpRegistry();
    for (String type : StandardOps.registry().opTypes()) {
      registry.register(type, spec -> {
        Op op = StandardOps.registry().create(spec);
        return type.equals("BatchNormalization") ? counting((ChannelAffineOp) op) : op;
      });
    }
    return new Network(b.build(registry));
  }

  private ChannelAffineOp counting(ChannelAffineOp op) {
    return new ChannelAffineOp() {
      @Override
      public float[][] channelAffine(Tensor[] inputs) {
        return op.channelAffine(inputs);
      }

      @Override
      public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
        batchNormRuns.incrementAndGet();
        return op.forward(context, inputs);
      }

      @Override
      public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
          boolean[] needed) {
        return op.backward(context, inputs, outputs, outputGrads, needed);
      }

      @Override
      public boolean backwardReadsInput(int j, boolean[] needed) {
        return op.backwardReadsInput(j, needed);
      }

      @Override
      public boolean backwardReadsOutput(int j) {
        return op.backwardReadsOutput(j);
      }
    };
  }

  private int takeRuns() {
    return batchNormRuns.getAndSet(0);
  }

  @Test
  void foldedRunsGiveTheUnfoldedValues() {
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    assertEquals(3, takeRuns());
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(net.outputName());
    assertEquals(0, takeRuns(), "every batch norm folded");
    Fixtures.assertClose(plain.get(net.outputName()).data(), fused.data(), 1e-5, 0, "inference");

    Trace keepingConv = net.forward(feeds, ForwardOptions.keeping("/c2/Conv_output_0"));
    assertEquals(1, takeRuns(), "a kept convolution output is computed, and its batch norm runs on it");
    Fixtures.assertClose(plain.get("/c2/Conv_output_0").data(), keepingConv.get("/c2/Conv_output_0").data(), 1e-5, 0, "c2");
  }

  @Test
  void gradientsThroughFoldedBatchNormsMatch() {
    Trace plain = net.forward(feeds, CountingConv.unfused(net));
    Trace fused = net.forward(feeds, ForwardOptions.forBackward());
    takeRuns();
    Tensor seed = GradCheck.randn(7, 0, plain.get(net.outputName()).shape());
    List<String> wrt = List.of("x", "w1", "w2", "scale2", "shift1", "/c1/Conv_output_0");
    Map<String, Tensor> expected = net.backward(plain, Map.of(net.outputName(), seed), wrt, BackwardRules.DEFAULT);
    Map<String, Tensor> got = net.backward(fused, Map.of(net.outputName(), seed), wrt, BackwardRules.DEFAULT);
    for (String t : wrt) Fixtures.assertClose(expected.get(t).data(), got.get(t).data(), 1e-4, 0, t);
    assertEquals(0, takeRuns(), "scale2's gradient reads bn2's input, the convolution's output, recomputed as such");
    for (Node node : net.graph().nodes()) {
      Fixtures.assertClose(plain.get(node.output()).data(), fused.get(node.output()).data(), 1e-5, 0, node.output());
    }
  }

  @Test
  void changedParametersAreFoldedAgain() {
    net.forward(feeds, ForwardOptions.inference());
    for (int i = 0; i < scale1.size(); i++) scale1.data()[i] *= -2;
    scale1.markModified();
    Tensor plain = net.forward(feeds, CountingConv.unfused(net)).get(net.outputName());
    Tensor fused = net.forward(feeds, ForwardOptions.inference()).get(net.outputName());
    Fixtures.assertClose(plain.data(), fused.data(), 1e-5, 0, "after the change");
    assertArrayEquals(plain.shape(), fused.shape());
  }
}
