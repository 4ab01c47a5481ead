package org.convscope.engine.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.convscope.engine.Activation;
import org.convscope.engine.GradCheck;
import org.convscope.engine.ops.ConvReference;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The channel block of the blocked layouts follows the CPU: 16 channels (one AVX-512 vector of floats) where
 * oneDNN runs AVX-512 kernels, 8 on AVX2. With 8 on an AVX-512 machine, oneDNN ran MobileNetV2's blocked chain
 * on AVX2 kernels and EfficientNet-B0's scaling on its reference kernel (10 times slower).
 */
class ChannelBlockTest {
  @Test
  void theBlockIsSixteenExactlyWhenTheCpuHasAvx512() throws IOException {
    // ONEDNN_MAX_CPU_ISA=AVX2 runs the AVX2 kernels on an AVX-512 CPU, and the block follows oneDNN, not the flags.
    assumeTrue(System.getenv("ONEDNN_MAX_CPU_ISA") == null, "oneDNN's instruction set is capped");
    List<String> flags = cpuFlags();
    boolean avx512 = flags.containsAll(List.of("avx512f", "avx512bw", "avx512vl", "avx512dq"));
    assertEquals(avx512 ? 16 : 8, Dnnl.channelBlock(), "flags " + flags);
  }

  /** A MobileNet's stem: 3 -> 20 channels (padded to a whole block either way), 3x3, stride 2, pad 1, ReLU. */
  @Test
  void aSmallRgbStemWritesTheBlockedLayoutWithTheReferenceValues() {
    try (BlockedTensor y = stem(3)) {
      assertTrue(y.layout().channelBlockedNatively(), "held in the blocked layout of this CPU");
    }
  }

  /** A ResNet's stem, 7x7: channels-last, as the dense and 1x1 convolutions after its max pool run. */
  @Test
  void aLargeRgbStemWritesChannelsLastWithTheReferenceValues() {
    try (BlockedTensor y = stem(7)) {
      assertTrue(y.layout().channelsLast(), "held channels-last");
    }
  }

  /** An RGB stem of size k x k, stride 2, padding k / 2, 3 -> 20 channels, ReLU, checked against a direct sum. */
  private static BlockedTensor stem(int k) {
    int pad = k / 2;
    int[] pads = {pad, pad};
    Tensor x = GradCheck.randn(3, 0, 2, 3, 9, 11);
    Tensor w = GradCheck.randn(4, 0, 20, 3, k, k);
    Tensor expected = ConvReference.conv(x, w, null, 1, new int[] {2, 2}, new int[] {1, 1}, pads, pads);
    ConvGeometry g = new ConvGeometry(false, 2, 3, 20, 1, new int[] {9, 11}, new int[] {expected.dim(2),
        expected.dim(3)}, new int[] {k, k}, new int[] {2, 2}, new int[] {1, 1}, pads, pads);
    BlockedTensor y = Convolution.forwardChained(g, x, null, w, null, null,
        Activation.clamp(0, Float.POSITIVE_INFINITY), true).held();
    float[] got = y.toTensor().data();
    for (int i = 0; i < got.length; i++) {
      double e = Math.max(expected.data()[i], 0);
      assertEquals(e, got[i], 1e-5 * Math.max(1, Math.abs(e)), k + "x" + k + " at " + i);
    }
    return y;
  }

  private static List<String> cpuFlags() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("flags")) return Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split(" "));
    }
    return List.of();
  }
}
