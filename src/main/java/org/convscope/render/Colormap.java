package org.convscope.render;

import java.awt.Color;

/**
 * Maps a value in [0,1] to a colour. Values outside [0,1] are clamped; NaN maps to the low end.
 *
 * <p>Each map is a piecewise-linear interpolation between key colours:
 * <ul>
 *   <li>{@link #VIRIDIS}: perceptually uniform, the default. Its key colours are 17 entries of matplotlib's
 *       256-entry viridis table (every 16th entry and the last), so interpolated colours stay within a couple
 *       of levels of the table.
 *   <li>{@link #JET}: MATLAB's jet as Grad-CAM and CAM figures use it, dark blue through cyan, yellow and red
 *       to dark red ({@code channel = clamp(1.5 - |4t - k|)} with k = 3, 2, 1 for red, green, blue).
 *   <li>{@link #GREY}: black to white.
 *   <li>{@link #DIVERGING}: blue, white, red for signed maps: ColorBrewer's 7-class RdBu with the centre made
 *       pure white, so 0 on a symmetric scale is white and positive values are red.
 * </ul>
 */
public enum Colormap {
  VIRIDIS(new int[] {0x440154, 0x48186a, 0x472d7b, 0x424086, 0x3b528b, 0x33638d, 0x2c728e, 0x26828e, 0x21918c,
      0x1fa088, 0x28ae80, 0x3fbc73, 0x5ec962, 0x84d44b, 0xaddc30, 0xd8e219, 0xfde725},
      tablePositions(0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 255)),
  JET(new int[] {0x000080, 0x0000ff, 0x00ffff, 0xffff00, 0xff0000, 0x800000},
      new double[] {0, 0.125, 0.375, 0.625, 0.875, 1}),
  GREY(new int[] {0x000000, 0xffffff}, new double[] {0, 1}),
  DIVERGING(new int[] {0x2166ac, 0x67a9cf, 0xd1e5f0, 0xffffff, 0xfddbc7, 0xef8a62, 0xb2182b},
      new double[] {0, 1 / 6.0, 2 / 6.0, 0.5, 4 / 6.0, 5 / 6.0, 1});

  private final int[] keys;
  private final double[] positions;

  Colormap(int[] keys, double[] positions) {
    this.keys = keys;
    this.positions = positions;
  }

  private static double[] tablePositions(int... entries) {
    double[] positions = new double[entries.length];
    for (int i = 0; i < entries.length; i++) positions[i] = entries[i] / 255.0;
    return positions;
  }

  /** The colour of {@code t} as packed 0xRRGGBB. */
  public int rgb(double t) {
    if (!(t > 0)) return keys[0];
    if (t >= 1) return keys[keys.length - 1];
    int upper = 1;
    while (positions[upper] < t) upper++;
    double low = positions[upper - 1];
    double f = (t - low) / (positions[upper] - low);
    int a = keys[upper - 1];
    int b = keys[upper];
    return mix(a >> 16, b >> 16, f) << 16 | mix(a >> 8, b >> 8, f) << 8 | mix(a, b, f);
  }

  public Color color(double t) {
    return new Color(rgb(t));
  }

  private static int mix(int a, int b, double f) {
    a &= 0xff;
    b &= 0xff;
    return (int) Math.round(a + (b - a) * f);
  }
}
