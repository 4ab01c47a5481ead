package org.convscope.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The parts line and scatter charts share: the layout (title, axis labels, tick labels, legend at the right)
 * and drawing the axes around the data.
 */
final class ChartFrame {
  /** A legend line: a short line for curves, a dot for classes. */
  record LegendEntry(String name, Color color, boolean line) {}

  private static final int MARGIN = 10;
  private static final int TICK = 4;
  private static final int SWATCH = 18;
  private static final Color GRID_LINES = new Color(0xe6e6e6);

  private final BufferedImage image;
  private final PlotArea area;
  private final Font labelFont = Drawing.font(Drawing.LABEL_SIZE);
  private final FontMetrics metrics = Drawing.metrics(labelFont);

  /** Lays the chart out and draws everything but the data and the axes' frame. */
  ChartFrame(ChartOptions options, ValueRange x, ValueRange y, List<LegendEntry> legend) {
    Font titleFont = Drawing.bold(Drawing.TITLE_SIZE);
    int line = metrics.getHeight();
    List<Double> xTicks = Ticks.of(x);
    List<Double> yTicks = Ticks.of(y);
    int yTickWidth = 0;
    for (double t : yTicks) yTickWidth = Math.max(yTickWidth, metrics.stringWidth(Ticks.label(t, y)));
    int legendWidth = 0;
    for (LegendEntry entry : legend) legendWidth = Math.max(legendWidth, metrics.stringWidth(entry.name()));
    if (!legend.isEmpty()) legendWidth += SWATCH + 6 + MARGIN;

    int top = MARGIN + (options.title() == null ? 0 : Drawing.lineHeight(titleFont) + 6);
    int left = MARGIN + (options.yLabel() == null ? 0 : line + 4) + yTickWidth + TICK + 3;
    int right = options.width() - MARGIN - legendWidth;
    // Half a tick label hangs past the axis' right end.
    right -= legend.isEmpty() ? metrics.stringWidth(Ticks.label(x.max(), x)) / 2 : 0;
    int bottom = options.height() - MARGIN - (options.xLabel() == null ? 0 : line + 2) - TICK - 2 - line;
    if (right - left < 20 || bottom - top < 20) {
      throw new IllegalArgumentException("a " + options.width() + "x" + options.height() + " chart leaves no room for the data");
    }
    area = new PlotArea(left, top, right - left, bottom - top, x, y);
    image = Drawing.canvas(options.width(), options.height(), Color.WHITE);

    Graphics2D g = Drawing.graphics(image);
    g.setFont(labelFont);
    for (double t : xTicks) {
      int px = (int) Math.round(area.pixelX(t));
      g.setColor(GRID_LINES);
      g.drawLine(px, top, px, bottom);
      g.setColor(Color.BLACK);
      g.drawLine(px, bottom, px, bottom + TICK);
      Drawing.centered(g, Ticks.label(t, x), px, bottom + TICK + 2 + metrics.getAscent());
    }
    for (double t : yTicks) {
      int py = (int) Math.round(area.pixelY(t));
      g.setColor(GRID_LINES);
      g.drawLine(left, py, right, py);
      g.setColor(Color.BLACK);
      g.drawLine(left - TICK, py, left, py);
      Drawing.rightAligned(g, Ticks.label(t, y), left - TICK - 3, py + (metrics.getAscent() - metrics.getDescent()) / 2);
    }
    if (options.xLabel() != null) {
      Drawing.centered(g, options.xLabel(), (left + right) / 2, options.height() - MARGIN - metrics.getDescent());
    }
    if (options.yLabel() != null) {
      AffineTransform saved = g.getTransform();
      g.translate(MARGIN + metrics.getAscent(), (top + bottom) / 2.0);
      g.rotate(-Math.PI / 2);
      Drawing.centered(g, options.yLabel(), 0, 0);
      g.setTransform(saved);
    }
    if (options.title() != null) {
      g.setFont(titleFont);
      String title = Drawing.fit(options.title(), g.getFontMetrics(), options.width() - 2 * MARGIN);
      Drawing.centered(g, title, options.width() / 2, MARGIN + g.getFontMetrics().getAscent());
      g.setFont(labelFont);
    }
    drawLegend(g, legend, right + MARGIN, top, bottom);
    g.dispose();
  }

  PlotArea area() {
    return area;
  }

  /** Graphics for the data, clipped to the plot area. */
  Graphics2D plotGraphics() {
    Graphics2D g = Drawing.graphics(image);
    g.clipRect(area.left(), area.top(), area.width() + 1, area.height() + 1);
    return g;
  }

  /** Frames the plot area and returns the finished chart. */
  Chart finish() {
    Graphics2D g = Drawing.graphics(image);
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1));
    g.drawRect(area.left(), area.top(), area.width(), area.height());
    g.dispose();
    return new Chart(image, area);
  }

  /** Entries top-down from the plot's top; those that do not fit become a "+N more" line. */
  private void drawLegend(Graphics2D g, List<LegendEntry> legend, int left, int top, int bottom) {
    int line = metrics.getHeight();
    int fitting = Math.max(0, (bottom - top) / line);
    int shown = legend.size() <= fitting ? legend.size() : Math.max(0, fitting - 1);
    for (int i = 0; i < shown; i++) {
      LegendEntry entry = legend.get(i);
      int middle = top + i * line + line / 2;
      g.setColor(entry.color());
      if (entry.line()) {
        g.setStroke(new BasicStroke(2));
        g.drawLine(left, middle, left + SWATCH, middle);
      } else {
        g.fillOval(left + SWATCH / 2 - 4, middle - 4, 8, 8);
      }
      g.setColor(Color.BLACK);
      g.drawString(entry.name(), left + SWATCH + 6, middle + (metrics.getAscent() - metrics.getDescent()) / 2);
    }
    if (shown < legend.size()) {
      g.drawString("+" + (legend.size() - shown) + " more", left + SWATCH + 6, top + shown * line + metrics.getAscent());
    }
  }
}
