package org.convscope.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/** A vertical colour bar beside an image, labelled with its range's ends (and 0 when the range spans it). */
public final class ColorBar {
  /** Space between the image and the bar. */
  static final int GAP = 8;
  /** Width of the coloured bar. */
  static final int BAR_WIDTH = 14;
  private static final int LABEL_GAP = 4;
  private static final int MARGIN = 4;

  private ColorBar() {}

  /** The image with a bar as tall as it at its right, on white: top is {@code range.max()}, bottom {@code range.min()}. */
  public static BufferedImage attach(BufferedImage image, Colormap colormap, ValueRange range) {
    Font font = Drawing.font(Drawing.LABEL_SIZE);
    FontMetrics metrics = Drawing.metrics(font);
    String top = Drawing.number(range.max());
    String bottom = Drawing.number(range.min());
    int labelWidth = Math.max(metrics.stringWidth(top), metrics.stringWidth(bottom));
    int height = image.getHeight();
    int barLeft = image.getWidth() + GAP;
    BufferedImage out = Drawing.canvas(barLeft + BAR_WIDTH + LABEL_GAP + labelWidth + MARGIN, height, Color.WHITE);
    Graphics2D g = Drawing.graphics(out);
    g.drawImage(image, 0, 0, null);
    for (int y = 0; y < height; y++) {
      double t = height == 1 ? 1 : 1 - y / (double) (height - 1);
      g.setColor(colormap.color(t));
      g.fillRect(barLeft, y, BAR_WIDTH, 1);
    }
    g.setFont(font);
    g.setColor(Color.BLACK);
    int labelLeft = barLeft + BAR_WIDTH + LABEL_GAP;
    g.drawString(top, labelLeft, metrics.getAscent());
    g.drawString(bottom, labelLeft, height - metrics.getDescent());
    // Mark 0 between the ends when there is room for a third label.
    if (range.spansZero() && height >= 3 * metrics.getHeight()) {
      int zeroY = (int) Math.round((1 - range.fraction(0)) * (height - 1));
      g.drawString("0", labelLeft, zeroY + (metrics.getAscent() - metrics.getDescent()) / 2);
    }
    g.dispose();
    return out;
  }
}
