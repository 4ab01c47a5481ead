package org.convscope.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Axis ranges and tick marks at "nice" steps: 1, 2 or 5 times a power of ten, about five per axis. */
final class Ticks {
  private static final int TARGET_COUNT = 5;

  private Ticks() {}

  /** The tick step for a range. */
  static double step(ValueRange range) {
    double raw = (range.max() - range.min()) / TARGET_COUNT;
    if (raw == 0) return 1;
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / power;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * power;
  }

  /**
   * A range covering the finite values, widened by {@code padding} of its span each side; with {@code snap},
   * further out to whole steps, so the axis ends on a tick.
   */
  static ValueRange around(double[] values, double padding, boolean snap) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (!Double.isFinite(v)) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (min > max) return new ValueRange(0, 1);
    if (min == max) {
      double half = min == 0 ? 0.5 : Math.abs(min) * 0.1;
      min -= half;
      max += half;
    }
    double pad = (max - min) * padding;
    ValueRange padded = new ValueRange(min - pad, max + pad);
    if (!snap) return padded;
    double step = step(padded);
    return new ValueRange(Math.floor(padded.min() / step) * step, Math.ceil(padded.max() / step) * step);
  }

  /** The multiples of the range's step that lie in it. */
  static List<Double> of(ValueRange range) {
    double step = step(range);
    List<Double> ticks = new ArrayList<>();
    double tolerance = step * 1e-9;
    for (long k = (long) Math.ceil((range.min() - tolerance) / step); k * step <= range.max() + tolerance; k++) {
      ticks.add(k * step);
    }
    return ticks;
  }

  /** A tick label with as many decimals as the step needs. */
  static String label(double value, ValueRange range) {
    double step = step(range);
    int exponent = (int) Math.floor(Math.log10(step) + 1e-9);
    if (Math.abs(value) < step * 1e-9) return "0";
    if (exponent >= 5 || exponent <= -5) return Drawing.number(value);
    return String.format(Locale.ROOT, "%." + Math.max(0, -exponent) + "f", value);
  }
}
