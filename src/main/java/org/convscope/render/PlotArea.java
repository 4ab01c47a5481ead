package org.convscope.render;

/**
 * Where a chart draws its data: the pixel rectangle of the axes and the value ranges it spans. Maps data
 * coordinates to pixels, e.g. for tooltips over a scatter plot in the web UI.
 *
 * @param left pixel column of the x axis' low end
 * @param top pixel row of the y axis' high end
 * @param width pixels from the low to the high end of the x axis
 * @param height pixels from the high to the low end of the y axis
 */
public record PlotArea(int left, int top, int width, int height, ValueRange x, ValueRange y) {
  /** The pixel column of x (not clamped). */
  public double pixelX(double value) {
    return left + (value - x.min()) / (x.max() - x.min()) * width;
  }

  /** The pixel row of y (not clamped): larger values are higher up. */
  public double pixelY(double value) {
    return top + (y.max() - value) / (y.max() - y.min()) * height;
  }
}
