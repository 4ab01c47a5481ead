package org.convscope.render;

/**
 * How a map's values are scaled onto [0,1]: a rule that picks a {@link ValueRange} from the values. Grids
 * apply it to each tile or to all tiles at once; heatmaps apply it to the map.
 */
@FunctionalInterface
public interface Normalization {
  ValueRange rangeOf(float[] values);

  /** Smallest to largest value: the default for activations and unsigned attributions. */
  static Normalization minMax() {
    return ValueRange::minMax;
  }

  /** Symmetric about 0 by the largest magnitude: for signed maps, with a diverging colormap. */
  static Normalization symmetric() {
    return ValueRange::symmetric;
  }

  /** Minimum to the given percentile (e.g. 99), clipping outliers. */
  static Normalization percentile(double percentile) {
    ValueRange.checkPercentile(percentile);
    return values -> ValueRange.percentile(values, percentile);
  }

  /** Symmetric about 0 by the given percentile of the magnitudes. */
  static Normalization symmetricPercentile(double percentile) {
    ValueRange.checkPercentile(percentile);
    return values -> ValueRange.symmetricPercentile(values, percentile);
  }

  /** The same range whatever the values, e.g. [0,1] for images or probabilities. */
  static Normalization fixed(double min, double max) {
    ValueRange range = new ValueRange(min, max);
    return values -> range;
  }
}
