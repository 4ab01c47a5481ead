package org.convscope.explain;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Spearman's rank correlation, with tied values given their mean rank. */
final class RankCorrelation {
  private RankCorrelation() {}

  /**
   * The rank correlation of {@code length} values of a and b from the given offsets. A constant sequence has no
   * order to agree with; it counts as 0, no correlation.
   */
  static double spearman(float[] a, int offsetA, float[] b, int offsetB, int length) {
    double[] ra = ranks(a, offsetA, length);
    double[] rb = ranks(b, offsetB, length);
    double mean = (length - 1) / 2.0;
    double cov = 0;
    double va = 0;
    double vb = 0;
    for (int i = 0; i < length; i++) {
      double da = ra[i] - mean;
      double db = rb[i] - mean;
      cov += da * db;
      va += da * da;
      vb += db * db;
    }
    return va == 0 || vb == 0 ? 0 : cov / Math.sqrt(va * vb);
  }

  private static double[] ranks(float[] v, int offset, int length) {
    Integer[] order = IntStream.range(0, length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> v[offset + i]));
    double[] rank = new double[length];
    for (int start = 0; start < length; ) {
      int end = start;
      while (end + 1 < length && v[offset + order[end + 1]] == v[offset + order[start]]) end++;
      double mean = (start + end) / 2.0;
      for (int k = start; k <= end; k++) rank[order[k]] = mean;
      start = end + 1;
    }
    return rank;
  }
}
