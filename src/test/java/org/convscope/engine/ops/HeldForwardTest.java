package org.convscope.engine.ops;

import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd16b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd8b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_abc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_abcd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.convscope.Fixtures;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.Op;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.HeldLayouts;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The forward passes that run on held tensors ({@link org.convscope.engine.HeldForwardOp}) against the same ops on
 * arrays: exactly where oneDNN only reads the memory another way (Transpose, reshaping) or does the same float
 * operation (Add, Mul by factors per channel), to rounding where it computes otherwise (layer norm's statistics in
 * float, the Linear layer's matmul), from held inputs in row-major, channels-last and channel-blocked layouts.
 */
class HeldForwardTest {
  private static final int[] LAYOUTS = {dnnl_abcd, dnnl_acdb, dnnl_aBcd8b, dnnl_aBcd16b};
  private static final ExecutionContext INFERENCE = ExecutionContext.inference();

  private final Tensor x = GradCheck.randn(71, 0, 2, 19, 5, 7);

  @Test
  void transposeIsAViewOfTheSameMemoryInEveryLayout() {
    int[][] orders = {{0, 2, 3, 1}, {0, 3, 1, 2}, {3, 2, 1, 0}, {1, 0, 2, 3}, {0, 1, 2, 3}};
    for (int tag : LAYOUTS) {
      for (int[] order : orders) {
        Transpose transpose = new Transpose(order);
        Tensor expected = transpose.forward(INFERENCE, new Tensor[] {x})[0];
        try (BlockedTensor held = HeldLayouts.held(x, tag);
            HeldTensor view = transpose.forwardHeld(INFERENCE, new Tensor[1], new HeldTensor[] {held})) {
          assertArrayEquals(expected.shape(), view.shape());
          assertArrayEquals(expected.data(), view.toTensor().data(), "layout " + tag);
        }
      }
    }
  }

  @Test
  void aViewOutlivesTheHandleItCameFrom() {
    Transpose transpose = new Transpose(new int[] {0, 2, 3, 1});
    Tensor expected = transpose.forward(INFERENCE, new Tensor[] {x})[0];
    HeldTensor view;
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_acdb)) {
      view = transpose.forwardHeld(INFERENCE, new Tensor[1], new HeldTensor[] {held});
    }
    try (view) {
      assertArrayEquals(expected.data(), view.toTensor().data());
    }
  }

  @Test
  void reshapingReadsRowMajorMemoryAsItIsAndDeclinesBlocks() {
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_abcd); BlockedTensor rows = held.reshaped(new int[] {70, 19})) {
      assertNotNull(rows);
      assertArrayEquals(x.data(), rows.toTensor().data());
      assertNull(held.reshaped(new int[] {70, 20}), "another size");
    }
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_aBcd16b)) {
      assertNull(held.reshaped(new int[] {2, 19 * 35}), "19 channels padded to blocks of 16");
    }
  }

  @Test
  void layerNormMatchesTheJavaOpFromAnyLayout() {
    Tensor scale = GradCheck.randn(72, 0, 19);
    Tensor bias = GradCheck.randn(73, 0, 19);
    Transpose toChannelsLast = new Transpose(new int[] {0, 2, 3, 1});
    Tensor rows = toChannelsLast.forward(INFERENCE, new Tensor[] {x})[0];
    LayerNormalization norm = new LayerNormalization(-1, 1e-5f);
    Tensor expected = norm.forward(INFERENCE, new Tensor[] {rows, scale, bias})[0];
    for (int tag : LAYOUTS) {
      try (BlockedTensor held = HeldLayouts.held(x, tag);
          HeldTensor channelsLast = toChannelsLast.forwardHeld(INFERENCE, new Tensor[1], new HeldTensor[] {held});
          HeldTensor y = norm.forwardHeld(INFERENCE, new Tensor[] {null, scale, bias},
              new HeldTensor[] {channelsLast, null, null})) {
        assertArrayEquals(expected.shape(), y.shape());
        Fixtures.assertClose(expected.data(), y.toTensor().data(), 1e-5, 1e-5, "layer norm, layout " + tag);
      }
    }
    // Without a bias, and not over the last dimension alone, which oneDNN cannot normalize.
    Tensor noBias = norm.forward(INFERENCE, new Tensor[] {rows, scale})[0];
    try (BlockedTensor held = HeldLayouts.held(rows, dnnl_abcd);
        HeldTensor y = norm.forwardHeld(INFERENCE, new Tensor[] {null, scale}, new HeldTensor[] {held, null})) {
      Fixtures.assertClose(noBias.data(), y.toTensor().data(), 1e-5, 1e-5, "layer norm without bias");
    }
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_abcd)) {
      Tensor planeScale = GradCheck.randn(74, 0, 5, 7);
      assertNull(new LayerNormalization(2, 1e-5f).forwardHeld(INFERENCE, new Tensor[] {null, planeScale},
          new HeldTensor[] {held, null}));
    }
  }

  @Test
  void linearLayerMatchesTheJavaOpWithAndWithoutGelu() {
    Tensor rows = new Transpose(new int[] {0, 2, 3, 1}).forward(INFERENCE, new Tensor[] {x})[0];
    Tensor w = GradCheck.randn(75, 0, 19, 23);
    Tensor b = GradCheck.randn(76, 0, 23);
    for (boolean gelu : new boolean[] {false, true}) {
      Linear linear = new Linear(gelu);
      Tensor expected = linear.forward(INFERENCE, new Tensor[] {rows, w, b})[0];
      try (BlockedTensor held = HeldLayouts.held(rows, dnnl_abcd);
          HeldTensor y = linear.forwardHeld(INFERENCE, new Tensor[] {null, w, b}, new HeldTensor[] {held, null, null})) {
        assertArrayEquals(expected.shape(), y.shape());
        Fixtures.assertClose(expected.data(), y.toTensor().data(), 1e-5, 1e-6, "linear, gelu " + gelu);
      }
      // A recorded run too; its backward pass then computes x W + b again for the GELU's derivative.
      ExecutionContext recording = ExecutionContext.recording();
      try (BlockedTensor held = HeldLayouts.held(rows, dnnl_abcd);
          HeldTensor y = linear.forwardHeld(recording, new Tensor[] {null, w, b}, new HeldTensor[] {held, null, null})) {
        Tensor dy = GradCheck.randn(80, 0, expected.shape());
        Tensor[] grads = linear.backward(recording, new Tensor[] {rows, w, b}, new Tensor[] {y.toTensor()},
            new Tensor[] {dy}, new boolean[] {true, true, true});
        ExecutionContext javaRun = ExecutionContext.recording(); // keeps x W + b as its forward pass computes it
        Tensor yJava = linear.forward(javaRun, new Tensor[] {rows, w, b})[0];
        Tensor[] reference = linear.backward(javaRun, new Tensor[] {rows, w, b}, new Tensor[] {yJava},
            new Tensor[] {dy}, new boolean[] {true, true, true});
        for (int j = 0; j < 3; j++) {
          Fixtures.assertClose(reference[j].data(), grads[j].data(), 1e-5, 1e-6, "gradient " + j + ", gelu " + gelu);
        }
      }
    }
  }

  @Test
  void addAndScaleByChannelAreTheJavaOpsExactly() {
    Tensor other = GradCheck.randn(77, 0, 2, 19, 5, 7);
    Tensor gamma = GradCheck.randn(78, 0, 19, 1, 1);
    Op add = new Add();
    Op mul = new Mul();
    Tensor sum = add.forward(INFERENCE, new Tensor[] {x, other})[0];
    Tensor scaled = mul.forward(INFERENCE, new Tensor[] {gamma, x})[0];
    for (int tag : LAYOUTS) {
      try (BlockedTensor a = HeldLayouts.held(x, tag); BlockedTensor b = HeldLayouts.held(other, dnnl_acdb);
          HeldTensor s = ((Add) add).forwardHeld(INFERENCE, new Tensor[2], new HeldTensor[] {a, b});
          HeldTensor p = ((Mul) mul).forwardHeld(INFERENCE, new Tensor[] {gamma, null}, new HeldTensor[] {null, a})) {
        assertArrayEquals(sum.data(), s.toTensor().data(), "sum, layout " + tag);
        assertArrayEquals(scaled.data(), p.toTensor().data(), "scaled, layout " + tag);
      }
    }
    try (BlockedTensor a = HeldLayouts.held(x, dnnl_acdb)) {
      assertNull(((Add) add).forwardHeld(INFERENCE, new Tensor[] {null, other}, new HeldTensor[] {a, null}),
          "one operand held");
      Tensor perPixel = GradCheck.randn(79, 0, 5, 7);
      assertNull(((Mul) mul).forwardHeld(INFERENCE, new Tensor[] {null, perPixel}, new HeldTensor[] {a, null}),
          "factors per pixel");
    }
  }

  @Test
  void transposeBackwardPermutesAHeldGradientBackWithoutACopy() {
    Transpose transpose = new Transpose(new int[] {0, 3, 1, 2});
    Tensor dy = GradCheck.randn(90, 0, 2, 7, 19, 5);
    Tensor expected = transpose.backward(INFERENCE, new Tensor[1], new Tensor[1], new Tensor[] {dy},
        new boolean[] {true})[0];
    for (int tag : LAYOUTS) {
      try (BlockedTensor held = HeldLayouts.held(dy, tag)) {
        for (boolean hold : new boolean[] {false, true}) {
          HeldGradientOp.Value dx = transpose.backwardHeld(INFERENCE, new HeldGradientOp.Value[1],
              new HeldGradientOp.Value[1], new HeldGradientOp.Value(null, held), new boolean[] {true}, hold)[0];
          assertEquals(hold, dx.held() != null, "held when asked");
          try (HeldTensor h = dx.held()) {
            assertArrayEquals(expected.data(), (h != null ? h.toTensor() : dx.tensor()).data(), "layout " + tag);
          }
        }
      }
    }
    // An array gradient is held for a reader that takes it so, and left to the plain pass otherwise.
    HeldGradientOp.Value fromArray = new HeldGradientOp.Value(dy, null);
    try (HeldTensor h = transpose.backwardHeld(INFERENCE, new HeldGradientOp.Value[1], new HeldGradientOp.Value[1],
        fromArray, new boolean[] {true}, true)[0].held()) {
      assertArrayEquals(expected.data(), h.toTensor().data());
    }
    assertNull(transpose.backwardHeld(INFERENCE, new HeldGradientOp.Value[1], new HeldGradientOp.Value[1], fromArray,
        new boolean[] {true}, false));
  }

  @Test
  void scalingByFactorsOfLowerRankHasItsGradientsHeld() {
    Tensor gamma = GradCheck.randn(91, 0, 19, 1, 1);
    Tensor dy = GradCheck.randn(92, 0, 2, 19, 5, 7);
    Mul mul = new Mul();
    Tensor y = mul.forward(INFERENCE, new Tensor[] {gamma, x})[0];
    Tensor[] expected = mul.backward(INFERENCE, new Tensor[] {gamma, x}, new Tensor[] {y}, new Tensor[] {dy},
        new boolean[] {true, true});
    for (int tag : LAYOUTS) {
      try (BlockedTensor heldX = HeldLayouts.held(x, tag); BlockedTensor heldDy = HeldLayouts.held(dy, tag)) {
        HeldGradientOp.Value[] grads = mul.backwardHeld(INFERENCE, new HeldGradientOp.Value[] {
            new HeldGradientOp.Value(gamma, null), new HeldGradientOp.Value(null, heldX)}, new HeldGradientOp.Value[1],
            new HeldGradientOp.Value(null, heldDy), new boolean[] {true, true}, false);
        assertArrayEquals(expected[0].shape(), grads[0].tensor().shape());
        Fixtures.assertClose(expected[0].data(), grads[0].tensor().data(), 1e-5, 1e-5, "gamma's gradient, layout " + tag);
        try (HeldTensor dx = grads[1].held()) {
          assertArrayEquals(expected[1].data(), dx.toTensor().data(), "x's gradient, layout " + tag);
        }
      }
    }
  }

  @Test
  void linearBackwardFromHeldTensorsMatchesTheJavaPass() {
    Tensor rows = new Transpose(new int[] {0, 2, 3, 1}).forward(INFERENCE, new Tensor[] {x})[0];
    Tensor w = GradCheck.randn(93, 0, 19, 23);
    Tensor b = GradCheck.randn(94, 0, 23);
    Tensor dy = GradCheck.randn(95, 0, 2, 5, 7, 23);
    for (boolean gelu : new boolean[] {false, true}) {
      Linear linear = new Linear(gelu);
      ExecutionContext javaRun = ExecutionContext.recording();
      Tensor y = linear.forward(javaRun, new Tensor[] {rows, w, b})[0];
      Tensor expected = linear.backward(javaRun, new Tensor[] {rows, w, b}, new Tensor[] {y}, new Tensor[] {dy},
          new boolean[] {true, false, false})[0];
      for (boolean heldDy : new boolean[] {false, true}) {
        try (BlockedTensor heldX = HeldLayouts.held(rows, dnnl_abcd);
            BlockedTensor dyHeld = heldDy ? HeldLayouts.held(dy, dnnl_abcd) : null) {
          HeldGradientOp.Value[] inputs = {new HeldGradientOp.Value(null, heldX), new HeldGradientOp.Value(w, null),
              new HeldGradientOp.Value(b, null)};
          HeldGradientOp.Value g = new HeldGradientOp.Value(heldDy ? null : dy, dyHeld);
          HeldGradientOp.Value dx = linear.backwardHeld(ExecutionContext.recording(), inputs,
              new HeldGradientOp.Value[1], g, new boolean[] {true, false, false}, true)[0];
          try (HeldTensor h = dx.held()) {
            assertArrayEquals(expected.shape(), h.shape());
            Fixtures.assertClose(expected.data(), h.toTensor().data(), 1e-5, 1e-6, "gelu " + gelu + ", dy held " + heldDy);
          }
          assertNull(linear.backwardHeld(ExecutionContext.recording(), inputs, new HeldGradientOp.Value[1], g,
              new boolean[] {true, true, false}, true), "the weight's gradient is the Java pass's");
        }
      }
    }
  }

  @Test
  void layerNormBackwardFromHeldTensorsMatchesTheJavaPass() {
    Tensor rows = new Transpose(new int[] {0, 2, 3, 1}).forward(INFERENCE, new Tensor[] {x})[0];
    Tensor scale = GradCheck.randn(96, 0, 19);
    Tensor bias = GradCheck.randn(97, 0, 19);
    Tensor dy = GradCheck.randn(98, 0, rows.shape());
    LayerNormalization norm = new LayerNormalization(-1, 1e-5f);
    Tensor[] inputs = {rows, scale, bias};
    Tensor[] outputs = norm.forward(INFERENCE, inputs);
    Tensor expected = norm.backward(INFERENCE, inputs, outputs, new Tensor[] {dy, null, null},
        new boolean[] {true, false, false})[0];
    for (boolean heldDy : new boolean[] {false, true}) {
      try (BlockedTensor heldX = HeldLayouts.held(x, dnnl_acdb);
          HeldTensor channelsLast = heldX.permuted(new int[] {0, 2, 3, 1});
          BlockedTensor dyHeld = heldDy ? HeldLayouts.held(dy, dnnl_abcd) : null) {
        HeldGradientOp.Value[] in = {new HeldGradientOp.Value(null, channelsLast), new HeldGradientOp.Value(scale, null),
            new HeldGradientOp.Value(bias, null)};
        HeldGradientOp.Value g = new HeldGradientOp.Value(heldDy ? null : dy, dyHeld);
        HeldGradientOp.Value dx = norm.backwardHeld(INFERENCE, in, new HeldGradientOp.Value[1], g,
            new boolean[] {true, false, false}, false)[0];
        assertArrayEquals(expected.shape(), dx.tensor().shape());
        Fixtures.assertClose(expected.data(), dx.tensor().data(), 1e-4, 1e-5, "dy held " + heldDy);
        assertNull(norm.backwardHeld(INFERENCE, in, new HeldGradientOp.Value[1], g, new boolean[] {true, true, false},
            false), "the scale's gradient is the Java pass's");
      }
    }
  }

  @Test
  void concatJoinsHeldTensorsOfAnyLayoutsExactly() {
    Tensor a = GradCheck.randn(99, 0, 2, 16, 5, 7);
    Tensor b = GradCheck.randn(100, 0, 2, 8, 5, 7);
    Concat concat = new Concat(1);
    Tensor expected = concat.forward(INFERENCE, new Tensor[] {a, b, x})[0];
    for (int tag : LAYOUTS) {
      try (BlockedTensor ha = HeldLayouts.held(a, tag); BlockedTensor hb = HeldLayouts.held(b, dnnl_acdb);
          BlockedTensor hx = HeldLayouts.held(x, dnnl_aBcd16b);
          HeldTensor y = concat.forwardHeld(INFERENCE, new Tensor[3], new HeldTensor[] {ha, hb, hx})) {
        assertArrayEquals(expected.shape(), y.shape());
        assertArrayEquals(expected.data(), y.toTensor().data(), "first input's layout " + tag);
      }
    }
    try (BlockedTensor ha = HeldLayouts.held(a, dnnl_acdb)) {
      try (HeldTensor alone = concat.forwardHeld(INFERENCE, new Tensor[1], new HeldTensor[] {ha})) {
        assertArrayEquals(a.data(), alone.toTensor().data(), "one input");
      }
      Tensor wider = GradCheck.randn(101, 0, 2, 16, 5, 8);
      try (BlockedTensor hw = HeldLayouts.held(wider, dnnl_acdb)) {
        assertNull(concat.forwardHeld(INFERENCE, new Tensor[2], new HeldTensor[] {ha, hw}), "widths differ");
      }
      assertNull(concat.forwardHeld(INFERENCE, new Tensor[] {null, b}, new HeldTensor[] {ha, null}), "b an array");
    }
  }

  /** A Pad of nothing is the held input, zeros pad it held, and another border or a crop declines. */
  @Test
  void aPadOfNothingIsTheHeldInputAndZerosPadIt() {
    Pad pad = new Pad(Pad.Mode.CONSTANT);
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_aBcd16b)) {
      try (HeldTensor same = pad.forwardHeld(INFERENCE, new Tensor[] {null, Tensor.ofLongs(new long[8], 8)},
          new HeldTensor[] {held, null})) {
        assertArrayEquals(x.data(), same.toTensor().data());
      }
      long[] some = new long[8];
      some[3] = 1;
      Tensor pads = Tensor.ofLongs(some, 8);
      try (HeldTensor padded = pad.forwardHeld(INFERENCE, new Tensor[] {null, pads}, new HeldTensor[] {held, null})) {
        assertArrayEquals(pad.forward(INFERENCE, new Tensor[] {x, pads})[0].data(), padded.toTensor().data());
      }
      assertNull(pad.forwardHeld(INFERENCE, new Tensor[] {null, pads, Tensor.scalar(2f)},
          new HeldTensor[] {held, null, null}), "a border of twos");
      assertNull(new Pad(Pad.Mode.EDGE).forwardHeld(INFERENCE, new Tensor[] {null, pads},
          new HeldTensor[] {held, null}), "a border of edges");
      some[3] = -1;
      assertNull(pad.forwardHeld(INFERENCE, new Tensor[] {null, Tensor.ofLongs(some, 8)},
          new HeldTensor[] {held, null}), "a crop");
    }
  }

  @Test
  void batchNormInferenceRunsOnAHeldInputWithItsRelu() {
    BatchNormalization norm = (BatchNormalization) SpatialTesting.op("BatchNormalization", 13, 5, 1);
    Tensor[] inputs = {x, GradCheck.randn(102, 0, 19), GradCheck.randn(103, 0, 19), GradCheck.randn(104, 0, 19),
        PointwiseFixtures.uniform(105, 0.5f, 2, 19)};
    Tensor plain = norm.forward(INFERENCE, inputs)[0];
    float[] relu = plain.data().clone();
    for (int i = 0; i < relu.length; i++) relu[i] = Math.max(relu[i], 0);
    Tensor[] parameters = inputs.clone();
    parameters[0] = null;
    for (int tag : LAYOUTS) {
      try (BlockedTensor held = HeldLayouts.held(x, tag);
          HeldTensor y = norm.forwardFused(INFERENCE, parameters, held, null, null, true).held();
          HeldTensor r = norm.forwardFused(INFERENCE, parameters, held, null, Activation.relu(), true).held()) {
        Fixtures.assertClose(plain.data(), y.toTensor().data(), 1e-5, 1e-6, "layout " + tag);
        Fixtures.assertClose(relu, r.toTensor().data(), 1e-5, 1e-6, "with ReLU, layout " + tag);
      }
    }
    assertNull(norm.forwardFused(INFERENCE, inputs, null, null, null, false), "arrays in and out: the Java pass");
  }

  @Test
  void reshapeReadsInPlaceWhereItCanAndCopiesRowMajorWhereItCannot() {
    Reshape reshape = new Reshape(false);
    Tensor split = Tensor.ofLongs(new long[] {2, 1, 19, 5, 7}, 5);
    Tensor[] inputs = {null, split};
    Tensor expected = reshape.forward(INFERENCE, new Tensor[] {x, split})[0];
    for (int tag : LAYOUTS) {
      try (BlockedTensor held = HeldLayouts.held(x, tag);
          HeldTensor y = reshape.forwardHeld(INFERENCE, inputs, new HeldTensor[] {held, null})) {
        assertArrayEquals(expected.shape(), y.shape());
        assertArrayEquals(expected.data(), y.toTensor().data(), "layout " + tag);
      }
    }
    // A transposed view whose axes cannot be merged where they lie: copied row-major first.
    Tensor merge = Tensor.ofLongs(new long[] {2, 35, 19}, 3);
    Transpose toChannelsLast = new Transpose(new int[] {0, 2, 3, 1});
    Tensor channelsLast = toChannelsLast.forward(INFERENCE, new Tensor[] {x})[0];
    Tensor merged = reshape.forward(INFERENCE, new Tensor[] {channelsLast, merge})[0];
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_abcd);
        HeldTensor view = toChannelsLast.forwardHeld(INFERENCE, new Tensor[1], new HeldTensor[] {held});
        HeldTensor y = reshape.forwardHeld(INFERENCE, new Tensor[] {null, merge}, new HeldTensor[] {view, null})) {
      assertArrayEquals(merged.shape(), y.shape());
      assertArrayEquals(merged.data(), y.toTensor().data());
    }
  }

  @Test
  void sliceCopiesAHeldPartExactlyAndLeavesStepsToTheJavaPass() {
    Slice slice = new Slice();
    Tensor starts = Tensor.ofLongs(new long[] {3, -4}, 2);
    Tensor ends = Tensor.ofLongs(new long[] {12, 100}, 2);
    Tensor axes = Tensor.ofLongs(new long[] {1, 3}, 2);
    Tensor expected = slice.forward(INFERENCE, new Tensor[] {x, starts, ends, axes})[0];
    for (int tag : new int[] {dnnl_abcd, dnnl_acdb}) {
      try (BlockedTensor held = HeldLayouts.held(x, tag);
          HeldTensor y = slice.forwardHeld(INFERENCE, new Tensor[] {null, starts, ends, axes},
              new HeldTensor[] {held, null, null, null})) {
        assertArrayEquals(expected.shape(), y.shape());
        assertArrayEquals(expected.data(), y.toTensor().data(), "layout " + tag);
      }
    }
    // Two parts of one size at different offsets: each conversion reads its own part (a cache keyed by layout
    // alone once gave the second the first's).
    Tensor firstHalf = slice.forward(INFERENCE, new Tensor[] {x, Tensor.ofLongs(new long[] {0}, 1),
        Tensor.ofLongs(new long[] {8}, 1), Tensor.ofLongs(new long[] {1}, 1)})[0];
    Tensor secondHalf = slice.forward(INFERENCE, new Tensor[] {x, Tensor.ofLongs(new long[] {8}, 1),
        Tensor.ofLongs(new long[] {16}, 1), Tensor.ofLongs(new long[] {1}, 1)})[0];
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_acdb);
        HeldTensor a = slice.forwardHeld(INFERENCE, new Tensor[] {null, Tensor.ofLongs(new long[] {0}, 1),
            Tensor.ofLongs(new long[] {8}, 1), Tensor.ofLongs(new long[] {1}, 1)},
            new HeldTensor[] {held, null, null, null});
        HeldTensor b = slice.forwardHeld(INFERENCE, new Tensor[] {null, Tensor.ofLongs(new long[] {8}, 1),
            Tensor.ofLongs(new long[] {16}, 1), Tensor.ofLongs(new long[] {1}, 1)},
            new HeldTensor[] {held, null, null, null})) {
      assertArrayEquals(firstHalf.data(), a.toTensor().data(), "channels 0 to 8");
      assertArrayEquals(secondHalf.data(), b.toTensor().data(), "channels 8 to 16");
    }
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_aBcd16b)) {
      assertNull(slice.forwardHeld(INFERENCE, new Tensor[] {null, starts, ends, axes},
          new HeldTensor[] {held, null, null, null}), "channels 3 to 12 of 16-channel blocks");
    }
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_abcd)) {
      Tensor steps = Tensor.ofLongs(new long[] {2, 1}, 2);
      assertNull(slice.forwardHeld(INFERENCE, new Tensor[] {null, starts, ends, axes, steps},
          new HeldTensor[] {held, null, null, null, null}), "a step of 2");
    }
  }

  @Test
  void shapeOfAHeldTensorIsItsShape() {
    Shape shape = new Shape(1, null);
    assertArrayEquals(shape.forward(INFERENCE, new Tensor[] {x})[0].toLongs(), shape.forShape(x.shape()).toLongs());
  }

  @Test
  void reshapeSliceAndConcatBackwardReadOnlyTheShapesOfHeldInputs() {
    HeldGradientOp.Value[] none = new HeldGradientOp.Value[1];
    try (BlockedTensor held = HeldLayouts.held(x, dnnl_acdb)) {
      HeldGradientOp.Value heldX = new HeldGradientOp.Value(null, held);
      // Reshape: [2, 19, 5, 7] -> [2, 19, 35]; the gradient, held or not, takes the input's shape back.
      Reshape reshape = new Reshape(false);
      Tensor flat = Tensor.ofLongs(new long[] {2, 19, 35}, 3);
      Tensor dFlat = GradCheck.randn(106, 0, 2, 19, 35);
      Tensor expected = reshape.backward(INFERENCE, new Tensor[] {x, flat}, null, new Tensor[] {dFlat},
          new boolean[] {true, false})[0];
      HeldGradientOp.Value[] inputs = {heldX, new HeldGradientOp.Value(flat, null)};
      HeldGradientOp.Value fromArray = reshape.backwardHeld(INFERENCE, inputs, none,
          new HeldGradientOp.Value(dFlat, null), new boolean[] {true, false}, false)[0];
      assertArrayEquals(expected.data(), fromArray.tensor().data());
      assertArrayEquals(expected.shape(), fromArray.tensor().shape());
      try (BlockedTensor dHeld = HeldLayouts.held(dFlat, dnnl_abc);
          HeldTensor dx = reshape.backwardHeld(INFERENCE, inputs, none, new HeldGradientOp.Value(null, dHeld),
              new boolean[] {true, false}, true)[0].held()) {
        assertArrayEquals(expected.data(), dx.toTensor().data(), "held gradient");
      }

      // Slice: channels 3 to 12 and the last 4 columns.
      Slice slice = new Slice();
      Tensor starts = Tensor.ofLongs(new long[] {3, -4}, 2);
      Tensor ends = Tensor.ofLongs(new long[] {12, 100}, 2);
      Tensor axes = Tensor.ofLongs(new long[] {1, 3}, 2);
      Tensor dPart = GradCheck.randn(107, 0, 2, 9, 5, 4);
      Tensor sliceExpected = slice.backward(INFERENCE, new Tensor[] {x, starts, ends, axes}, null,
          new Tensor[] {dPart}, new boolean[] {true, false, false, false})[0];
      HeldGradientOp.Value sliceGrad = slice.backwardHeld(INFERENCE, new HeldGradientOp.Value[] {heldX,
          new HeldGradientOp.Value(starts, null), new HeldGradientOp.Value(ends, null),
          new HeldGradientOp.Value(axes, null)}, none, new HeldGradientOp.Value(dPart, null),
          new boolean[] {true, false, false, false}, false)[0];
      assertArrayEquals(sliceExpected.data(), sliceGrad.tensor().data());

      // Concat of x and another tensor along the channels.
      Tensor other = GradCheck.randn(108, 0, 2, 8, 5, 7);
      Concat concat = new Concat(1);
      Tensor dJoined = GradCheck.randn(109, 0, 2, 27, 5, 7);
      Tensor[] concatExpected = concat.backward(INFERENCE, new Tensor[] {x, other}, null, new Tensor[] {dJoined},
          new boolean[] {true, true});
      HeldGradientOp.Value[] parts = concat.backwardHeld(INFERENCE, new HeldGradientOp.Value[] {heldX,
          new HeldGradientOp.Value(other, null)}, none, new HeldGradientOp.Value(dJoined, null),
          new boolean[] {true, true}, false);
      assertArrayEquals(concatExpected[0].data(), parts[0].tensor().data());
      assertArrayEquals(concatExpected[1].data(), parts[1].tensor().data());
    }
  }
}
