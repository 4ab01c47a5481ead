package org.convscope.train;

import java.util.List;

/**
 * A classifier's results on a labelled dataset.
 *
 * @param confusion counts[true class][predicted class]
 */
public record Evaluation(List<String> classNames, long[][] confusion) {

  public long total() {
    long n = 0;
    for (long[] row : confusion) for (long c : row) n += c;
    return n;
  }

  public long correct() {
    long n = 0;
    for (int i = 0; i < confusion.length; i++) n += confusion[i][i];
    return n;
  }

  public double accuracy() {
    long total = total();
    return total == 0 ? 0 : (double) correct() / total;
  }

  /** Accuracy on the examples of class k (recall), NaN when the class has none. */
  public double classAccuracy(int k) {
    long n = 0;
    for (long c : confusion[k]) n += c;
    return n == 0 ? Double.NaN : (double) confusion[k][k] / n;
  }

  public String className(int k) {
    return k < classNames.size() ? classNames.get(k) : "class " + k;
  }

  /** The matrix as aligned text, with per-class accuracy. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("accuracy %.2f%% (%d of %d)%n", 100 * accuracy(), correct(), total()));
    int k = confusion.length;
    sb.append(String.format("%-14s", "true \\ pred"));
    for (int j = 0; j < k; j++) sb.append(String.format("%7s", abbreviate(className(j))));
    sb.append(String.format("%9s%n", "acc"));
    for (int i = 0; i < k; i++) {
      sb.append(String.format("%-14s", abbreviate14(className(i))));
      for (int j = 0; j < k; j++) sb.append(String.format("%7d", confusion[i][j]));
      sb.append(String.format("%8.1f%%%n", 100 * classAccuracy(i)));
    }
    return sb.toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 6 ? s : s.substring(0, 6);
  }

  private static String abbreviate14(String s) {
    return s.length() <= 13 ? s : s.substring(0, 13);
  }
}
