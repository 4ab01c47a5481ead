package org.convscope.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * 2-D points coloured by class with a class legend, as for t-SNE and PCA maps of a layer's features;
 * optionally with small images drawn at some points, framed in their class colour.
 */
public final class ScatterPlot {
  /** Radius of a point's dot in pixels. */
  static final double POINT_RADIUS = 3;
  /** Longer side of a thumbnail in pixels: larger images shrink to it, small ones grow by whole factors. */
  static final int THUMBNAIL_SIZE = 32;
  /** Share of the data's span left free at each side, so edge points and thumbnails stay inside. */
  private static final double PADDING = 0.05;

  private ScatterPlot() {}

  /**
   * Point i at (x[i], y[i]) in the colour of class {@code classes[i]}; {@code classNames} names the classes in
   * the legend (null names them by number).
   */
  public static Chart render(double[] x, double[] y, int[] classes, List<String> classNames, ChartOptions options) {
    return render(x, y, classes, classNames, null, options);
  }

  /**
   * As {@link #render(double[], double[], int[], List, ChartOptions)}, with {@code thumbnails.get(i)} drawn
   * centred on point i where it is not null (pass a few, or the plot turns into a carpet).
   */
  public static Chart render(double[] x, double[] y, int[] classes, List<String> classNames,
      List<BufferedImage> thumbnails, ChartOptions options) {
    if (x.length != y.length || x.length != classes.length) {
      throw new IllegalArgumentException("scatter plot needs one x, y and class per point; got " + x.length + ", "
          + y.length + " and " + classes.length);
    }
    if (thumbnails != null && thumbnails.size() != x.length) {
      throw new IllegalArgumentException(thumbnails.size() + " thumbnails for " + x.length + " points");
    }
    int classCount = classNames != null ? classNames.size() : 0;
    for (int c : classes) {
      if (c < 0 || (classNames != null && c >= classCount)) {
        throw new IllegalArgumentException("class " + c + " outside the " + classCount + " class names");
      }
      classCount = Math.max(classCount, c + 1);
    }
    List<ChartFrame.LegendEntry> legend = new ArrayList<>();
    for (int c = 0; c < classCount; c++) {
      legend.add(new ChartFrame.LegendEntry(classNames != null ? classNames.get(c) : String.valueOf(c), Palette.category(c), false));
    }
    ValueRange xRange = options.xRange() != null ? options.xRange() : Ticks.around(x, PADDING, false);
    ValueRange yRange = options.yRange() != null ? options.yRange() : Ticks.around(y, PADDING, false);
    ChartFrame frame = new ChartFrame(options, xRange, yRange, legend);
    PlotArea area = frame.area();
    Graphics2D g = frame.plotGraphics();
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
      g.setColor(Palette.category(classes[i]));
      g.fill(new Ellipse2D.Double(area.pixelX(x[i]) - POINT_RADIUS, area.pixelY(y[i]) - POINT_RADIUS, 2 * POINT_RADIUS,
          2 * POINT_RADIUS));
    }
    if (thumbnails != null) {
      for (int i = 0; i < x.length; i++) {
        BufferedImage thumbnail = thumbnails.get(i);
        if (thumbnail == null || !Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
        drawThumbnail(g, thumbnail, area.pixelX(x[i]), area.pixelY(y[i]), Palette.category(classes[i]));
      }
    }
    g.dispose();
    return frame.finish();
  }

  private static void drawThumbnail(Graphics2D g, BufferedImage thumbnail, double centerX, double centerY, Color frame) {
    BufferedImage image = ImageOps.scale(thumbnail, THUMBNAIL_SIZE / (double) Math.max(thumbnail.getWidth(), thumbnail.getHeight()));
    int left = (int) Math.round(centerX - image.getWidth() / 2.0);
    int top = (int) Math.round(centerY - image.getHeight() / 2.0);
    g.setColor(frame);
    g.fillRect(left - 1, top - 1, image.getWidth() + 2, image.getHeight() + 2);
    g.drawImage(image, left, top, null);
  }
}
