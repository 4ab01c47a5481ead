package org.convscope.engine.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd16b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd8b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Backward-data convolutions large enough to be tuned choose among several oneDNN implementations by timing
 * them; whichever wins, the values must be the gradient's, as every candidate's are.
 */
class ConvolutionTuningTest {
  /** Stride 2, where oneDNN's first choice for backward-data is often not the fastest. */
  private static final ConvGeometry STRIDED = new ConvGeometry(false, 2, 16, 32, 1, new int[] {32, 32},
      new int[] {16, 16}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});

  @Test
  void theGeometryIsLargeEnoughToBeTuned() {
    assertTrue(STRIDED.withBatch(1).multiplyAdds() >= 1L << 20, "the tests below would not exercise tuning");
  }

  @Test
  void tuningStartsWithAConvolutionsSecondPass() {
    Tensor first = Tensor.zeros(8, 8, 3, 3);
    Tensor sameShape = Tensor.zeros(8, 8, 3, 3);
    assertFalse(Convolution.repeated(first), "first pass");
    assertFalse(Convolution.repeated(sameShape), "another convolution of the same shape in the same pass");
    assertTrue(Convolution.repeated(first), "second pass");
  }

  @Test
  void aBatchRunsTheImplementationThatWonForOneItem() {
    String[] chosen = Convolution.backwardDataImplementations(STRIDED);
    assertEquals(chosen[1], chosen[0], "batch of 2 against one item");
  }

  @Test
  void kernelsAreNamedWithoutTheirInstructionSet() {
    assertEquals("jit", Primitive.withoutInstructionSet("jit:avx2"));
    assertEquals("jit_1x1", Primitive.withoutInstructionSet("jit_1x1:sse41"));
    assertEquals("brg_conv_fwd", Primitive.withoutInstructionSet("brg_conv_fwd:avx512_core"));
    assertEquals("x64:gemm:jit", Primitive.withoutInstructionSet("x64:gemm:jit"));
  }

  @Test
  void everyCandidateAndTheTunedChoiceComputeTheDataGradient() {
    Random random = new Random(7);
    Tensor w = randomTensor(random, 32, 16, 3, 3);
    Tensor dy = randomTensor(random, 2, 32, 16, 16);
    double[] expected = backwardDataReference(w.data(), dy.data());
    List<Plan> candidates = Convolution.backwardDataCandidates(STRIDED);
    try {
      assertTrue(candidates.size() >= 2, "oneDNN offers a single implementation; nothing to choose from");
      Set<String> kernels = new HashSet<>();
      for (Plan plan : candidates) {
        assertTrue(kernels.add(Primitive.withoutInstructionSet(plan.implementation())),
            "one version of each kernel: " + plan.implementation());
        assertClose(expected, plan.run(Dnnl.workspace(), w, dy.data())[0], plan.implementation());
      }
    } finally {
      for (Plan plan : candidates) plan.close();
    }
    assertClose(expected, Convolution.backwardData(STRIDED, w, dy), "tuned");
  }

  /**
   * A chain of backward passes whose x the forward pass left channels-last runs channels-last: dx comes in x's
   * layout, from dy held in either layout or as a tensor, held or (tuned, from the second pass on) as an array.
   */
  @Test
  void aChannelsLastInputGetsItsGradientChannelsLast() {
    Strided c = new Strided(new Random(8));
    try (BlockedTensor heldX = HeldLayouts.held(c.x, dnnl_acdb)) {
      for (int tag : new int[] {dnnl_acdb, dnnl_aBcd8b, dnnl_aBcd16b}) {
        try (BlockedTensor heldDy = HeldLayouts.held(c.dy, tag);
            BlockedTensor dx = Convolution.backwardDataChained(STRIDED, c.w, null, heldDy, heldX, true).held()) {
          assertTrue(dx.layout().channelsLast(), "dy in format " + tag);
          assertClose(c.expected, dx.toTensor().data(), "dy in format " + tag);
        }
      }
      for (int pass = 0; pass < 2; pass++) {
        assertClose(c.expected, Convolution.backwardDataChained(STRIDED, c.w, c.dy, null, heldX, false).values()[0],
            "as an array, pass " + pass);
      }
    }
  }

  /**
   * x held channel-blocked (a max pool's output, as a ResNet's first block reads it) with dy held channels-last:
   * the pass runs channels-last, and dx comes channels-last; with dy blocked too, it stays in oneDNN's choice.
   */
  @Test
  void aChannelsLastGradientOfABlockedInputComesChannelsLast() {
    Strided c = new Strided(new Random(9));
    try (BlockedTensor heldX = HeldLayouts.held(c.x, Dnnl.channelBlockedTag())) {
      for (int tag : new int[] {dnnl_acdb, Dnnl.channelBlockedTag()}) {
        try (BlockedTensor heldDy = HeldLayouts.held(c.dy, tag);
            BlockedTensor dx = Convolution.backwardDataChained(STRIDED, c.w, null, heldDy, heldX, true).held()) {
          if (tag == dnnl_acdb) assertTrue(dx.layout().channelsLast(), "dy channels-last");
          assertClose(c.expected, dx.toTensor().data(), "dy in format " + tag);
        }
      }
    }
  }

  /** Random weights, x and dy of {@link #STRIDED}, and the data gradient they give. */
  private static final class Strided {
    final Tensor w;
    final Tensor x;
    final Tensor dy;
    final double[] expected;

    Strided(Random random) {
      w = randomTensor(random, 32, 16, 3, 3);
      x = randomTensor(random, 2, 16, 32, 32);
      dy = randomTensor(random, 2, 32, 16, 16);
      expected = backwardDataReference(w.data(), dy.data());
    }
  }

  /** dx[n, c, ih, iw] = sum of w[o, c, kh, kw] * dy[n, o, oh, ow] over the outputs whose window covers (ih, iw). */
  private static double[] backwardDataReference(float[] w, float[] dy) {
    double[] dx = new double[2 * 16 * 32 * 32];
    forEachTap((xi, wi, yi) -> dx[xi] += (double) w[wi] * dy[yi]);
    return dx;
  }

  /** Row-major indices of an input element, a weight and an output element that meet in {@link #STRIDED}. */
  private interface Tap {
    void visit(int xIndex, int wIndex, int yIndex);
  }

  /** Every tap of {@link #STRIDED}: 2 images, 16 to 32 channels, 32x32 to 16x16, 3x3 kernel, stride 2, pad 1. */
  private static void forEachTap(Tap tap) {
    for (int n = 0; n < 2; n++) {
      for (int o = 0; o < 32; o++) {
        for (int oh = 0; oh < 16; oh++) {
          for (int ow = 0; ow < 16; ow++) {
            for (int c = 0; c < 16; c++) {
              for (int kh = 0; kh < 3; kh++) {
                for (int kw = 0; kw < 3; kw++) {
                  int ih = oh * 2 - 1 + kh;
                  int iw = ow * 2 - 1 + kw;
                  if (ih < 0 || ih >= 32 || iw < 0 || iw >= 32) continue;
                  tap.visit(((n * 16 + c) * 32 + ih) * 32 + iw, ((o * 16 + c) * 3 + kh) * 3 + kw,
                      ((n * 32 + o) * 16 + oh) * 16 + ow);
                }
              }
            }
          }
        }
      }
    }
  }

  private static Tensor randomTensor(Random random, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) t.data()[i] = (float) random.nextGaussian();
    return t;
  }

  /** Sums of at most 288 products of unit normals: float rounding stays far below 1e-3. */
  private static void assertClose(double[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-3 * (1 + Math.abs(expected[i])), what + " at " + i);
    }
  }
}
