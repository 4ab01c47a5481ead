package org.convscope.render;

import java.util.Arrays;

/**
 * The values that map onto [0,1] before colouring: {@code min} to 0, {@code max} to 1, values outside
 * clamped. The factories compute ranges from data and skip NaN and infinite values; data without a finite
 * value gets [0,0].
 *
 * <p>A range with {@code min == max} maps values at or below it to 0 and values above to 1, so a constant map
 * shows the low colour, as matplotlib does.
 */
public record ValueRange(double min, double max) {
  public ValueRange {
    if (!(min <= max) || Double.isInfinite(min) || Double.isInfinite(max)) {
      throw new IllegalArgumentException("a value range needs finite min <= max, got [" + min + ", " + max + "]");
    }
  }

  /** Smallest to largest value. */
  public static ValueRange minMax(float[] values) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float v : values) {
      if (!Float.isFinite(v)) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return min > max ? new ValueRange(0, 0) : new ValueRange(min, max);
  }

  /**
   * [-m, m] with m the largest magnitude, so 0 maps to the middle: the scale for signed maps and diverging
   * colormaps. An all-zero map gets [-1, 1], so it still shows the middle colour.
   */
  public static ValueRange symmetric(float[] values) {
    double m = 0;
    for (float v : values) if (Float.isFinite(v)) m = Math.max(m, Math.abs(v));
    return symmetricAround(m);
  }

  /**
   * The smallest value to the {@code percentile}-th percentile, as SmoothGrad's visualizations clip the few
   * brightest pixels (percentile 99) so they do not wash out the rest. Percentiles interpolate linearly
   * between sorted values, as NumPy's default does.
   */
  public static ValueRange percentile(float[] values, double percentile) {
    checkPercentile(percentile);
    double[] sorted = sortedFinite(values, false);
    if (sorted.length == 0) return new ValueRange(0, 0);
    return new ValueRange(sorted[0], interpolate(sorted, percentile));
  }

  /** [-q, q] with q the {@code percentile}-th percentile of the magnitudes: clipped and symmetric. */
  public static ValueRange symmetricPercentile(float[] values, double percentile) {
    checkPercentile(percentile);
    double[] sorted = sortedFinite(values, true);
    return symmetricAround(sorted.length == 0 ? 0 : interpolate(sorted, percentile));
  }

  /** Where {@code value} falls, in [0,1]. */
  public double fraction(double value) {
    if (max == min) return value > max ? 1 : 0;
    double f = (value - min) / (max - min);
    return f <= 0 || Double.isNaN(f) ? 0 : Math.min(f, 1);
  }

  /** Whether 0 lies strictly inside the range, which is when a colour bar marks it. */
  public boolean spansZero() {
    return min < 0 && max > 0;
  }

  private static ValueRange symmetricAround(double magnitude) {
    return magnitude == 0 ? new ValueRange(-1, 1) : new ValueRange(-magnitude, magnitude);
  }

  private static double[] sortedFinite(float[] values, boolean magnitudes) {
    double[] out = new double[values.length];
    int n = 0;
    for (float v : values) if (Float.isFinite(v)) out[n++] = magnitudes ? Math.abs(v) : v;
    out = Arrays.copyOf(out, n);
    Arrays.sort(out);
    return out;
  }

  static void checkPercentile(double percentile) {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in [0, 100], got " + percentile);
    }
  }

  private static double interpolate(double[] sorted, double percentile) {
    double position = percentile / 100 * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
  }
}
