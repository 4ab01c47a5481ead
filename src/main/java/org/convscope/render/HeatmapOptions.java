package org.convscope.render;

/**
 * How a heatmap is coloured and blended.
 *
 * @param colormap the colours values map to
 * @param normalization how the map's values are scaled onto the colormap
 * @param alpha the map's weight when blended over an image: 0 shows only the image, 1 only the map
 * @param colorBar whether to add a colour bar with the range's end values at the right
 */
public record HeatmapOptions(Colormap colormap, Normalization normalization, double alpha, boolean colorBar) {
  public HeatmapOptions {
    if (colormap == null || normalization == null) throw new IllegalArgumentException("colormap and normalization are required");
    if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
  }

  /** Viridis over the min-max range, blended at half strength, no colour bar. */
  public static HeatmapOptions defaults() {
    return new HeatmapOptions(Colormap.VIRIDIS, Normalization.minMax(), 0.5, false);
  }

  /** For signed maps (gradients, Integrated Gradients): blue-white-red, symmetric about 0, so white is 0. */
  public static HeatmapOptions signed() {
    return new HeatmapOptions(Colormap.DIVERGING, Normalization.symmetric(), 0.5, false);
  }

  public HeatmapOptions withColormap(Colormap colormap) {
    return new HeatmapOptions(colormap, normalization, alpha, colorBar);
  }

  public HeatmapOptions withNormalization(Normalization normalization) {
    return new HeatmapOptions(colormap, normalization, alpha, colorBar);
  }

  public HeatmapOptions withAlpha(double alpha) {
    return new HeatmapOptions(colormap, normalization, alpha, colorBar);
  }

  public HeatmapOptions withColorBar(boolean colorBar) {
    return new HeatmapOptions(colormap, normalization, alpha, colorBar);
  }
}
