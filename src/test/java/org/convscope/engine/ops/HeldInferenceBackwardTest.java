package org.convscope.engine.ops;

import static org.bytedeco.dnnl.global.dnnl.dnnl_abcd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.convscope.Fixtures;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.HeldForwardOp;
import org.convscope.engine.HeldGradientOp;
import org.convscope.engine.HeldGradientOp.Value;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.Op;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.Dnnl;
import org.convscope.engine.dnnl.HeldLayouts;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The inference backward passes that DenseNet's layers and transitions take on held gradients (batch norm by
 * its running statistics, Concat, a Pad of nothing, average pooling) give their Java passes' gradients, with dy
 * held row-major, channels-last or channel-blocked. Odd sizes throughout.
 */
class HeldInferenceBackwardTest {
  private static final ExecutionContext INFERENCE = ExecutionContext.inference();

  private static int tag(int layout) {
    return switch (layout) {
      case 0 -> dnnl_abcd;
      case 1 -> dnnl_acdb;
      default -> Dnnl.channelBlockedTag();
    };
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void batchNormByRunningStatistics(int layout) {
    Op bn = OpTesting.create("BatchNormalization", 15, 5, 1, "epsilon", 1e-3f);
    int channels = 19;
    Tensor[] inputs = {GradCheck.randn(1, 0, 2, channels, 5, 7), GradCheck.randn(2, 0, channels),
        GradCheck.randn(3, 0, channels), GradCheck.randn(4, 0, channels),
        PointwiseFixtures.uniform(5, 0.5f, 2, channels)};
    Tensor dy = GradCheck.randn(6, 0, 2, channels, 5, 7);
    Tensor expected = bn.backward(INFERENCE, inputs, new Tensor[] {null}, new Tensor[] {dy},
        new boolean[] {true, false, false, false, false})[0];
    for (boolean hold : new boolean[] {true, false}) {
      try (BlockedTensor heldDy = HeldLayouts.held(dy, tag(layout))) {
        Value[] dx = ((HeldGradientOp) bn).backwardHeld(INFERENCE, values(null, inputs), new Value[1],
            new Value(null, heldDy), new boolean[] {true, false, false, false, false}, hold);
        assertNotNull(dx, "held path taken");
        Fixtures.assertClose(expected, tensorOf(dx[0]), 1e-6, "dx of batch norm, held " + hold);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void averagePooling(int layout) {
    Object[][] cases = {
        {new int[] {10, 12}, "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}},
        {new int[] {9, 11}, "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2},
            "pads", new long[] {1, 1, 1, 1}},
        {new int[] {9, 11}, "kernel_shape", new long[] {3, 2}, "strides", new long[] {2, 1},
            "pads", new long[] {1, 0, 1, 1}, "count_include_pad", 1L},
        // A row dropped at the end (9 rows in 2x2 windows): oneDNN cannot express it, the arrays take it.
        {new int[] {9, 12}, "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}}};
    for (Object[] c : cases) {
      int[] size = (int[]) c[0];
      Op pool = OpTesting.create("AveragePool", 13, 1, 1, Arrays.copyOfRange(c, 1, c.length));
      Tensor x = GradCheck.randn(7, 0, 2, 17, size[0], size[1]);
      Tensor y = OpTesting.run(pool, x)[0];
      Tensor dy = GradCheck.randn(8, 0, y.shape());
      Tensor expected = pool.backward(INFERENCE, new Tensor[] {x}, new Tensor[] {y}, new Tensor[] {dy},
          new boolean[] {true})[0];
      try (BlockedTensor heldX = HeldLayouts.held(x, tag(layout));
          BlockedTensor heldDy = HeldLayouts.held(dy, tag(layout))) {
        Value[] dx = ((HeldGradientOp) pool).backwardHeld(INFERENCE, new Value[] {new Value(null, heldX)},
            new Value[1], new Value(null, heldDy), new boolean[] {true}, true);
        if (size[0] == 9 && c.length == 5) {
          assertNull(dx, "left to the arrays");
          continue;
        }
        assertNotNull(dx, "held path taken");
        Fixtures.assertClose(expected, tensorOf(dx[0]), 1e-6, "dx of average pooling " + Arrays.toString(c));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void concatCutsTheHeldGradient(int layout) {
    Op concat = OpTesting.create("Concat", 13, 3, 1, "axis", 1L);
    // 16 + 32 channels can be cut from 16-channel blocks; 16 + 5 + 27 cannot, and go through arrays.
    for (int[] channels : new int[][] {{16, 32}, {16, 5, 27}, {3, 16, 29}}) {
      Tensor[] inputs = new Tensor[channels.length];
      for (int i = 0; i < channels.length; i++) inputs[i] = GradCheck.randn(10 + i, 0, 2, channels[i], 5, 3);
      Tensor y = OpTesting.run(concat, inputs)[0];
      Tensor dy = GradCheck.randn(9, 0, y.shape());
      boolean[] needed = new boolean[channels.length];
      Arrays.fill(needed, true);
      needed[1] = false;
      Tensor[] expected = concat.backward(INFERENCE, inputs, new Tensor[] {y}, new Tensor[] {dy}, needed);
      for (boolean hold : new boolean[] {true, false}) {
        try (BlockedTensor heldDy = HeldLayouts.held(dy, tag(layout))) {
          Value[] dx = ((HeldGradientOp) concat).backwardHeld(INFERENCE, values(null, inputs), new Value[1],
              new Value(null, heldDy), needed, hold);
          for (int i = 0; i < channels.length; i++) {
            if (!needed[i]) {
              assertNull(dx[i], "input " + i + " needs no gradient");
              continue;
            }
            Fixtures.assertClose(expected[i], tensorOf(dx[i]), 0, "part " + i + " of " + Arrays.toString(channels));
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void padOfNothingHandsTheGradientOn(int layout) {
    Op pad = OpTesting.create("Pad", 13, 2, 1, "mode", "constant");
    Tensor x = GradCheck.randn(20, 0, 2, 7, 5, 3);
    Tensor nothing = Tensor.ofLongs(new long[8], 8);
    Tensor dy = GradCheck.randn(21, 0, 2, 7, 5, 3);
    try (BlockedTensor heldDy = HeldLayouts.held(dy, tag(layout))) {
      Value[] dx = ((HeldGradientOp) pad).backwardHeld(INFERENCE, values(null, x, nothing), new Value[1],
          new Value(null, heldDy), new boolean[] {true, false}, true);
      assertSame(heldDy, dx[0].held(), "handed on as it came");
      Value[] asArray = ((HeldGradientOp) pad).backwardHeld(INFERENCE, values(null, x, nothing), new Value[1],
          new Value(null, heldDy), new boolean[] {true, false}, false);
      Fixtures.assertClose(dy, asArray[0].tensor(), 0, "dx of a Pad of nothing");
    }
  }

  /**
   * Zeros around a held tensor (Inception-v3's Pad before its average pools, Keras's ZeroPadding2D): the forward
   * pass pads held, the backward pass cuts the middle of dy out held; a reflected border takes the Java passes.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void zeroPaddingStaysHeld(int layout) {
    Op pad = OpTesting.create("Pad", 13, 2, 1, "mode", "constant");
    Tensor x = GradCheck.randn(23, 0, 2, 16, 5, 3);
    Tensor pads = Tensor.ofLongs(new long[] {0, 0, 1, 0, 0, 0, 2, 1}, 8);
    Tensor expected = OpTesting.run(pad, x, pads)[0];
    Tensor dy = GradCheck.randn(24, 0, expected.shape());
    Tensor expectedDx = pad.backward(INFERENCE, new Tensor[] {x, pads}, new Tensor[] {expected},
        new Tensor[] {dy}, new boolean[] {true, false})[0];
    HeldForwardOp held = (HeldForwardOp) pad;
    assertTrue(held.readsHeld(0, new boolean[] {true, false}, new Tensor[] {null, pads}));
    try (BlockedTensor heldX = HeldLayouts.held(x, tag(layout));
        HeldTensor y = held.forwardHeld(INFERENCE, new Tensor[] {null, pads}, new HeldTensor[] {heldX, null});
        BlockedTensor heldDy = HeldLayouts.held(dy, tag(layout))) {
      assertNotNull(y, "padded held");
      Fixtures.assertClose(expected, y.toTensor(), 0, "zeros around x");
      Value[] dx = ((HeldGradientOp) pad).backwardHeld(INFERENCE, values(null, x, pads), new Value[1],
          new Value(null, heldDy), new boolean[] {true, false}, true);
      assertNotNull(dx, "cut out held");
      Fixtures.assertClose(expectedDx, tensorOf(dx[0]), 0, "the middle of dy");
    }
    Op reflect = OpTesting.create("Pad", 13, 2, 1, "mode", "reflect");
    assertFalse(((HeldForwardOp) reflect).readsHeld(0, new boolean[] {true, false},
        new Tensor[] {null, pads}), "a reflected border is computed in Java");
    try (BlockedTensor heldDy = HeldLayouts.held(dy, tag(layout))) {
      assertNull(((HeldGradientOp) reflect).backwardHeld(INFERENCE, values(null, x, pads), new Value[1],
          new Value(null, heldDy), new boolean[] {true, false}, true), "and its gradient too");
    }
  }

  /** ShuffleNet's halves: a slice with steps of 1 passes dy back held, zeros around it; other steps through Java. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void sliceGradientsAreZerosAroundDy(int layout) {
    Op slice = OpTesting.create("Slice", 13, 5, 1);
    Tensor x = GradCheck.randn(25, 0, 2, 32, 5, 3);
    for (long[] bounds : new long[][] {{16, 32, 1}, {0, 16, 1}, {3, 29, 1}, {0, 32, 2}}) {
      Tensor[] inputs = {x, Tensor.ofLongs(new long[] {bounds[0], 1}, 2), Tensor.ofLongs(new long[] {bounds[1], 4}, 2),
          Tensor.ofLongs(new long[] {1, 2}, 2), Tensor.ofLongs(new long[] {bounds[2], 1}, 2)};
      Tensor y = OpTesting.run(slice, inputs)[0];
      Tensor dy = GradCheck.randn(26, 0, y.shape());
      boolean[] needed = {true, false, false, false, false};
      Tensor expected = slice.backward(INFERENCE, inputs, new Tensor[] {y}, new Tensor[] {dy}, needed)[0];
      try (BlockedTensor heldDy = HeldLayouts.held(dy, tag(layout))) {
        Value[] dx = ((HeldGradientOp) slice).backwardHeld(INFERENCE, values(null, inputs), new Value[1],
            new Value(null, heldDy), needed, true);
        Fixtures.assertClose(expected, tensorOf(dx[0]), 0, "dx of the slice " + Arrays.toString(bounds));
        if (bounds[2] == 1 && (layout != 2 || bounds[0] % Dnnl.channelBlock() == 0)) {
          assertNotNull(dx[0].held(), "held for steps of 1");
        }
      }
    }
  }

  /** The inputs as values, the first one {@code held} when not null. */
  private static Value[] values(HeldTensor held, Tensor... inputs) {
    Value[] values = new Value[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      values[i] = new Value(i == 0 && held != null ? null : inputs[i], i == 0 ? held : null);
    }
    return values;
  }

  /** A gradient as a tensor, closing it if held. */
  private static Tensor tensorOf(Value v) {
    if (v.held() == null) return v.tensor();
    try (HeldTensor h = v.held()) {
      return h.toTensor();
    }
  }
}
