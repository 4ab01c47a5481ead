package org.convscope.engine.ops;

import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd16b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd8b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.convscope.Fixtures;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.GradCheck;
import org.convscope.engine.GraphBuilder;
import org.convscope.engine.HeldGradientOp.Value;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.HeldLayouts;
import org.convscope.engine.dnnl.NativeMemory;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The backward pass of a squeeze-and-excitation block stays in oneDNN's layout: its scaling Mul takes a held
 * gradient to x held and sums the factors' gradient from x held, and its global average pool spreads its
 * gradient held in x's layout. Both agree with the ops' own backward passes on arrays; anything else is left to
 * those.
 */
class HeldSqueezeExcitationBackwardTest {
  private static final int N = 2;
  private static final int C = 13;
  private static final int H = 5;
  private static final int W = 7;
  private static final int[] LAYOUTS = {dnnl_aBcd8b, dnnl_aBcd16b, dnnl_acdb};
  private static final ExecutionContext CONTEXT = ExecutionContext.inference();

  @Test
  void theScalingsGradientsAgreeWithTheJavaPass() {
    Tensor x = GradCheck.randn(1, 0, N, C, H, W);
    Tensor dy = GradCheck.randn(2, 0, N, C, H, W);
    Mul mul = new Mul();
    for (Tensor scale : new Tensor[] {GradCheck.randn(3, 0, N, C, 1, 1), GradCheck.randn(4, 0, 1, C, 1, 1)}) {
      for (int scaled = 0; scaled < 2; scaled++) {
        Tensor[] operands = scaled == 0 ? new Tensor[] {x, scale} : new Tensor[] {scale, x};
        Tensor[] expected = mul.backward(CONTEXT, operands, new Tensor[] {null}, new Tensor[] {dy},
            new boolean[] {true, true});
        for (int xLayout : LAYOUTS) {
          for (int dyLayout : LAYOUTS) {
            String what = "x scaled by " + java.util.Arrays.toString(scale.shape()) + " as operand " + scaled
                + ", layouts " + xLayout + " and " + dyLayout;
            try (BlockedTensor heldX = HeldLayouts.held(x, xLayout);
                BlockedTensor heldDy = HeldLayouts.held(dy, dyLayout)) {
              Value[] inputs = scaled == 0 ? new Value[] {new Value(null, heldX), new Value(scale, null)}
                  : new Value[] {new Value(scale, null), new Value(null, heldX)};
              Value[] grads = mul.backwardHeld(CONTEXT, inputs, new Value[] {null}, new Value(null, heldDy),
                  new boolean[] {true, true}, false);
              assertNotNull(grads, what);
              Value dx = grads[scaled];
              // The first operand's gradient is held only when asked for; the other's always.
              assertEquals(scaled == 1, dx.held() != null, what);
              Tensor dxValues = dx.held() != null ? dx.held().toTensor() : dx.tensor();
              if (dx.held() != null) dx.held().close();
              Fixtures.assertClose(expected[scaled], dxValues, 1e-6, "x's gradient, " + what);
              Fixtures.assertClose(expected[1 - scaled], grads[1 - scaled].tensor(), 1e-5, "the factors', " + what);
            }
          }
        }
      }
    }
  }

  @Test
  void otherProductsAreLeftToTheJavaPass() {
    Tensor x = GradCheck.randn(5, 0, N, C, H, W);
    Mul mul = new Mul();
    boolean[] both = {true, true};
    try (BlockedTensor heldX = HeldLayouts.held(x, dnnl_acdb); BlockedTensor heldDy = HeldLayouts.held(x, dnnl_acdb)) {
      // Two operands of the output's shape: x * f(x) comes here only when a rule replaced f's backward pass.
      assertNull(mul.backwardHeld(CONTEXT, new Value[] {new Value(null, heldX), new Value(x, null)}, new Value[1],
          new Value(null, heldDy), both, true));
      // Factors per row rather than per channel.
      Tensor rows = GradCheck.randn(6, 0, 1, 1, H, 1);
      assertNull(mul.backwardHeld(CONTEXT, new Value[] {new Value(null, heldX), new Value(rows, null)}, new Value[1],
          new Value(null, heldDy), both, true));
      // The gradient as a tensor.
      Tensor scale = GradCheck.randn(7, 0, N, C, 1, 1);
      assertNull(mul.backwardHeld(CONTEXT, new Value[] {new Value(null, heldX), new Value(scale, null)},
          new Value[1], new Value(x, null), both, true));
      // The factors' gradient needs x held.
      assertNull(mul.backwardHeld(CONTEXT, new Value[] {new Value(x, null), new Value(scale, null)}, new Value[1],
          new Value(null, heldDy), both, true));
    }
  }

  @Test
  void theGlobalAveragesGradientComesHeldInXsLayout() {
    Tensor x = GradCheck.randn(8, 0, N, C, H, W);
    Tensor dy = GradCheck.randn(9, 0, N, C, 1, 1);
    GlobalAveragePool pool = new GlobalAveragePool();
    Tensor expected = pool.backward(CONTEXT, new Tensor[] {x}, new Tensor[] {null}, new Tensor[] {dy},
        new boolean[] {true})[0];
    for (int layout : LAYOUTS) {
      try (BlockedTensor heldX = HeldLayouts.held(x, layout)) {
        Value[] inputs = {new Value(null, heldX)};
        Value[] grads = pool.backwardHeld(CONTEXT, inputs, new Value[1], new Value(dy, null), new boolean[] {true},
            true);
        try (BlockedTensor dx = (BlockedTensor) grads[0].held()) {
          Fixtures.assertClose(expected, dx.toTensor(), 1e-6, "layout " + layout);
        }
        assertNull(pool.backwardHeld(CONTEXT, inputs, new Value[1], new Value(dy, null), new boolean[] {true}, false),
            "a gradient not to stay held is left to the Java pass");
      }
    }
    assertNull(pool.backwardHeld(CONTEXT, new Value[] {new Value(x, null)}, new Value[1], new Value(dy, null),
        new boolean[] {true}, true), "x as a tensor");
  }

  /**
   * conv -> ReLU -> squeeze-and-excitation as torchvision writes it (global average pool, 1x1 conv, ReLU, 1x1
   * conv, Sigmoid, Mul(factors, x)) -> 1x1 conv: RegNetY's block.
   */
  private static Network regNetBlock() {
    GraphBuilder b = new GraphBuilder("se", 13);
    String input = b.input("x", -1, 8, 11, 9);
    String c1 = b.node("Conv", "/c1/Conv", List.of(input, b.initializer("w1", GradCheck.randn(11, 0, 24, 8, 3, 3))),
        Map.of("pads", new long[] {1, 1, 1, 1}));
    String x = b.node("Relu", "/c1/Relu", List.of(c1), Map.of());
    String squeeze = b.node("GlobalAveragePool", "/se/GlobalAveragePool", List.of(x), Map.of());
    String reduce = b.node("Conv", "/se/fc1/Conv", List.of(squeeze,
        b.initializer("w2", GradCheck.randn(12, 0, 6, 24, 1, 1))), Map.of());
    String relu = b.node("Relu", "/se/Relu", List.of(reduce), Map.of());
    String expand = b.node("Conv", "/se/fc2/Conv", List.of(relu,
        b.initializer("w3", GradCheck.randn(13, 0, 24, 6, 1, 1))), Map.of());
    String scale = b.node("Sigmoid", "/se/Sigmoid", List.of(expand), Map.of());
    String scaled = b.node("Mul", "/se/Mul", List.of(scale, x), Map.of());
    b.output(b.node("Conv", "/c2/Conv", List.of(scaled, b.initializer("w4", GradCheck.randn(14, 0, 16, 24, 1, 1))),
        Map.of()));
    return new Network(b.build(StandardOps.registry()));
  }

  private final Network net = regNetBlock();
  private final Tensor input = GradCheck.randn(15, 0, 3, 8, 11, 9);

  @Test
  void aBlocksGradientsAgreeWithTheJavaOps() {
    BackwardRules asArrays = HeldGradientChainTest.ALL_AS_ARRAYS;
    BackwardRules[][] rules = {{BackwardRules.DEFAULT, asArrays},
        {BackwardRules.DEFAULT.with("Relu", Relu.GUIDED), asArrays.with("Relu", Relu.GUIDED)}};
    for (List<String> wrt : List.of(List.of("x"), List.of("x", "/c1/Relu_output_0"),
        List.of("/se/Sigmoid_output_0", "/se/GlobalAveragePool_output_0", "x"))) {
      for (BackwardRules[] pair : rules) {
        Map<String, Tensor> held = gradients(wrt, pair[0]);
        Map<String, Tensor> arrays = gradients(wrt, pair[1]);
        for (String w : wrt) Fixtures.assertClose(arrays.get(w), held.get(w), 1e-5, w + " with " + wrt);
      }
    }
  }

  @Test
  void passesLeaveNothingAllocated() {
    NativeMemory.assertRunsFreeWhatTheyAllocate(() -> gradients(List.of("x"), BackwardRules.DEFAULT),
        "saliency passes");
  }

  private Map<String, Tensor> gradients(List<String> wrt, BackwardRules rules) {
    try (Trace trace = net.forward(Map.of("x", input), ForwardOptions.forBackward())) {
      Tensor seed = GradCheck.randn(16, 0, trace.get(net.outputName()).shape());
      return net.backward(trace, Map.of(net.outputName(), seed), wrt, rules);
    }
  }
}
