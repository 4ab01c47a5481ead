package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ImageMathTest {
  private static Tensor random(long seed, int... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) t.data()[i] = (float) r.nextGaussian();
    return t;
  }

  @Test
  void rollMovesPixelsWithWrapAroundAndRollsBack() {
    Tensor image = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3);
    assertArrayEquals(new float[] {6, 4, 5, 3, 1, 2}, ImageMath.roll(image, 1, 1).data());
    Tensor x = random(1, 1, 3, 5, 7);
    assertArrayEquals(x.data(), ImageMath.roll(ImageMath.roll(x, 2, -3), -2, 3).data());
  }

  @Test
  void blurKeepsConstantsAndSpreadsAnImpulseAsAGaussian() {
    Tensor constant = Tensor.full(0.7f, 1, 2, 9, 9);
    ImageMath.gaussianBlur(constant, 1.0);
    for (float v : constant.data()) assertEquals(0.7f, v, 1e-6f);
    Tensor impulse = Tensor.zeros(1, 1, 15, 15);
    impulse.data()[7 * 15 + 7] = 1;
    ImageMath.gaussianBlur(impulse, 1.0);
    double sum = 0;
    for (float v : impulse.data()) sum += v;
    assertEquals(1, sum, 1e-5);
    // Separable: the weight at (dy, dx) is g(dy) g(dx) with g(d) = exp(-d^2/2) / sum over |d| <= 3.
    double norm = 0;
    for (int d = -3; d <= 3; d++) norm += Math.exp(-d * d / 2.0);
    assertEquals(Math.exp(-0.5) * Math.exp(-2) / (norm * norm), impulse.data()[8 * 15 + 9], 1e-7);
    assertEquals(1 / (norm * norm), impulse.data()[7 * 15 + 7], 1e-7);
  }

  @Test
  void totalVariationValueAndGradientAgainstFiniteDifferences() {
    Tensor image = Tensor.of(new float[] {0, 1, 3, 1}, 1, 1, 2, 2);
    // Across: (1-0)^2 + (1-3)^2; down: (3-0)^2 + (1-1)^2.
    assertEquals(1 + 4 + 9 + 0, ImageMath.totalVariation(image, 1, null), 1e-9);
    Tensor x = random(2, 1, 2, 4, 5);
    float[] gradient = new float[x.size()];
    ImageMath.totalVariation(x, 0.5, gradient);
    for (int i = 0; i < x.size(); i += 7) {
      float keep = x.data()[i];
      x.data()[i] = keep + 1e-2f;
      double up = ImageMath.totalVariation(x, 1, null);
      x.data()[i] = keep - 1e-2f;
      double down = ImageMath.totalVariation(x, 1, null);
      x.data()[i] = keep;
      assertEquals(0.5 * (up - down) / 2e-2, gradient[i], 1e-3, "element " + i);
    }
  }

  @Test
  void hartleyTransformIsItsOwnInverseAndKeepsTheNorm() {
    SpectralPreconditioner p = new SpectralPreconditioner(6, 7);
    Tensor x = random(3, 1, 1, 6, 7);
    double[] plane = new double[42];
    for (int i = 0; i < 42; i++) plane[i] = x.data()[i];
    double[] once = p.transform(plane);
    double[] twice = p.transform(once);
    double norm = 0;
    double transformedNorm = 0;
    for (int i = 0; i < 42; i++) {
      assertEquals(plane[i], twice[i], 1e-9);
      norm += plane[i] * plane[i];
      transformedNorm += once[i] * once[i];
    }
    assertEquals(norm, transformedNorm, 1e-9);
  }

  @Test
  void preconditionerScalesEachFrequencyByOneOverItsSquare() {
    int n = 8;
    SpectralPreconditioner p = new SpectralPreconditioner(n, n);
    Tensor constant = Tensor.full(1f, 1, 1, n, n);
    Tensor checker = Tensor.zeros(1, 1, n, n);
    for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) checker.data()[y * n + x] = (x + y) % 2 == 0 ? 1 : -1;
    // Both are eigenvectors: the constant has frequency 0 (scaled as the floor 1/8: s^2 = 64), the checkerboard
    // (1/2, 1/2) cycles per pixel (s^2 = 2), each divided by the mean of s^2 over the 64 frequencies.
    double mean = 0;
    for (int v = 0; v < n; v++) {
      for (int u = 0; u < n; u++) {
        double f = Math.hypot(Math.min(v, n - v) / (double) n, Math.min(u, n - u) / (double) n);
        mean += 1 / Math.pow(Math.max(f, 1.0 / n), 2) / (n * n);
      }
    }
    Tensor c = p.apply(constant);
    Tensor k = p.apply(checker);
    for (int i = 0; i < n * n; i++) {
      assertEquals(64 / mean, c.data()[i], 1e-4);
      assertEquals(2 / mean * checker.data()[i], k.data()[i], 1e-5);
    }
  }
}
