package org.convscope.embed;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which classes a layer mixes up, read off the k-nearest-neighbour graph of its features: for the points of
 * class a, how many of their k neighbours belong to class b. Classes the network keeps apart have almost all
 * neighbours inside; classes it confuses share neighbourhoods (for Fashion-MNIST: shirts, T-shirts, pullovers
 * and coats). The same count underlies k-NN classification, so a high mixing pair is one a k-NN classifier on
 * these features confuses.
 *
 * @param classNames names of the classes, indexed by label
 * @param k neighbours per point
 * @param counts counts[a][b]: neighbour slots of class-a points filled by class-b points
 * @param pairs every pair of distinct classes, most mixed first
 */
public record ClassOverlap(List<String> classNames, int k, long[][] counts, List<Pair> pairs) {
  /**
   * Two classes and how much their neighbourhoods mix: the share of the neighbour slots of both classes'
   * points that the other class fills, in [0, 1].
   */
  public record Pair(int first, int second, double mixing) {}

  /**
   * The overlap of labelled points; points with a negative label are neither counted nor counted as
   * neighbours.
   */
  public static ClassOverlap compute(NeighborGraph graph, int[] labels, List<String> classNames) {
    int classes = classNames.size();
    long[][] counts = new long[classes][classes];
    long[] slots = new long[classes];
    for (int i = 0; i < graph.n(); i++) {
      int a = labels[i];
      if (a < 0) continue;
      checkLabel(a, classes);
      for (int j = 0; j < graph.k(); j++) {
        int b = labels[graph.neighbor(i, j)];
        if (b < 0) continue;
        checkLabel(b, classes);
        counts[a][b]++;
        slots[a]++;
      }
    }
    List<Pair> pairs = new ArrayList<>();
    for (int a = 0; a < classes; a++) {
      for (int b = a + 1; b < classes; b++) {
        long both = slots[a] + slots[b];
        pairs.add(new Pair(a, b, both == 0 ? 0 : (counts[a][b] + counts[b][a]) / (double) both));
      }
    }
    pairs.sort(Comparator.comparingDouble(Pair::mixing).reversed()
        .thenComparingInt(Pair::first).thenComparingInt(Pair::second));
    return new ClassOverlap(List.copyOf(classNames), graph.k(), counts, List.copyOf(pairs));
  }

  /** Each row of {@link #counts} as shares of that class's neighbour slots. */
  public double[][] shares() {
    double[][] out = new double[counts.length][counts.length];
    for (int a = 0; a < counts.length; a++) {
      long total = 0;
      for (long c : counts[a]) total += c;
      for (int b = 0; b < counts.length; b++) out[a][b] = total == 0 ? 0 : counts[a][b] / (double) total;
    }
    return out;
  }

  private static void checkLabel(int label, int classes) {
    if (label >= classes) throw new IllegalArgumentException("label " + label + " outside the " + classes + " class names");
  }
}
