package org.convscope.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Trustworthiness, class agreement and PCA against hand computations. */
class QualityAndPcaTest {
  @Test
  void trustworthinessIsOneForAFaithfulLayoutAndPenalizesFalseNeighbours() {
    // Points on a line, laid out on the same line: every neighbourhood kept.
    int n = 8;
    double[] line = new double[n];
    double[] layout = new double[2 * n];
    for (int i = 0; i < n; i++) {
      line[i] = i;
      layout[2 * i] = 3 * i;
    }
    assertEquals(1, EmbeddingQuality.trustworthiness(line, 1, layout, n, 2), 1e-12);

    // Move point 0 to x = 21 and point 7 to x = 0. With k = 1 (ties go to the lower index):
    // 0 sits by 6, 6th in 0's input ranking: penalty 5; 7 sits by 1, 6th from 7: penalty 5;
    // 6 sits by 0 (tied with 5), 7th from 6: penalty 6; 1 sits by 2 (tied with 7), 2nd from 1 (after 0): penalty 1.
    double[] swapped = layout.clone();
    swapped[0] = 21;
    swapped[14] = 0;
    double expected = 1 - 2.0 / (n * 1.0 * (2 * n - 3 - 1)) * (5 + 5 + 6 + 1);
    assertEquals(expected, EmbeddingQuality.trustworthiness(line, 1, swapped, n, 1), 1e-12);
  }

  @Test
  void classAgreementMatchesCountingByHand() {
    Random random = new Random(1);
    int n = 500;
    double[] y = new double[2 * n];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      y[2 * i] = random.nextDouble() * 10;
      y[2 * i + 1] = random.nextDouble() * 3;
      labels[i] = y[2 * i] < 5 ? 0 : 1;
      if (i % 10 == 0) labels[i] = 1 - labels[i];
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      double[] d = new double[n];
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) {
        d[j] = j == i ? Double.POSITIVE_INFINITY : EmbeddingQuality.squared(y, 2, i, j);
        order[j] = j;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(d[a], d[b]));
      int same = 0;
      for (int r = 0; r < 10; r++) if (labels[order[r]] == labels[i]) same++;
      total += same / 10.0;
    }
    assertEquals(total / n, EmbeddingQuality.classAgreement(y, labels, 10), 1e-12);
  }

  @Test
  void pcaFindsTheAxesOfAnElongatedCloud() {
    // Variances 25, 4 and 1 along three orthonormal directions in 4-D, plus a small fourth.
    double[][] axes = {{0.6, 0.8, 0, 0}, {-0.8, 0.6, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    double[] sd = {5, 2, 1, 0.1};
    int n = 20_000;
    Random random = new Random(2);
    float[] x = new float[n * 4];
    for (int i = 0; i < n; i++) {
      for (int a = 0; a < 4; a++) {
        double c = random.nextGaussian() * sd[a];
        for (int p = 0; p < 4; p++) x[i * 4 + p] += (float) (c * axes[a][p] + (p == 0 ? 3 : 0) / 4.0);
      }
    }
    Pca pca = Pca.fit(x, n, 4, 3);
    for (int c = 0; c < 3; c++) {
      double dot = 0;
      for (int p = 0; p < 4; p++) dot += pca.components()[c][p] * axes[c][p];
      assertEquals(1, Math.abs(dot), 1e-3, "component " + c);
      assertEquals(sd[c] * sd[c], pca.variances()[c], 0.05 * sd[c] * sd[c], "variance " + c);
    }
    assertArrayEquals(new double[] {3, 0, 0, 0}, pca.mean(), 0.1);
    double[] projected = pca.project(x, n);
    double variance = 0;
    for (int i = 0; i < n; i++) variance += projected[3 * i] * projected[3 * i];
    assertEquals(pca.variances()[0], variance / (n - 1), 0.01 * pca.variances()[0]);
  }

  @Test
  void subsamplesAreDistinctSortedAndSeeded() {
    int[] a = EmbeddingQuality.subsample(1000, 100, 7);
    assertEquals(100, java.util.Arrays.stream(a).distinct().count());
    for (int i = 1; i < a.length; i++) assertTrue(a[i] > a[i - 1]);
    assertArrayEquals(a, EmbeddingQuality.subsample(1000, 100, 7));
    assertEquals(1000, EmbeddingQuality.subsample(1000, 5000, 7).length);
  }
}
