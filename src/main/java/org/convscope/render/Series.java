package org.convscope.render;

/**
 * One curve of a {@link LineChart}: points (x[i], y[i]) joined in order; a NaN y breaks the line. The name is
 * the legend entry and carries any summary, e.g. "deletion (AUC 0.213)".
 */
public record Series(String name, double[] x, double[] y) {
  public Series {
    if (x.length != y.length) throw new IllegalArgumentException("series " + name + " has " + x.length + " x values but " + y.length + " y values");
    x = x.clone();
    y = y.clone();
  }

  /** y against 0, 1, 2, ...: e.g. an objective per optimization step. */
  public static Series of(String name, double[] y) {
    double[] x = new double[y.length];
    for (int i = 0; i < x.length; i++) x[i] = i;
    return new Series(name, x, y);
  }

  @Override
  public double[] x() {
    return x.clone();
  }

  @Override
  public double[] y() {
    return y.clone();
  }
}
