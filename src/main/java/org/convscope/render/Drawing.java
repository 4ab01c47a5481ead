package org.convscope.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

/** What every renderer shares: headless mode, fonts, canvases, text placement and number labels. */
final class Drawing {
  static {
    // Everything here draws into images; never try to reach a display.
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
  }

  /** Text size of labels, ticks and legends. */
  static final float LABEL_SIZE = 11;
  /** Text size of titles. */
  static final float TITLE_SIZE = 14;

  private Drawing() {}

  static Font font(float size) {
    return new Font(Font.SANS_SERIF, Font.PLAIN, 1).deriveFont(size);
  }

  static Font bold(float size) {
    return new Font(Font.SANS_SERIF, Font.BOLD, 1).deriveFont(size);
  }

  /** An RGB image filled with {@code background}. */
  static BufferedImage canvas(int width, int height, Color background) {
    BufferedImage image = new BufferedImage(Math.max(1, width), Math.max(1, height), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(background);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.dispose();
    return image;
  }

  /** Graphics with antialiased shapes and text; images drawn through it are not resampled unless scaled. */
  static Graphics2D graphics(BufferedImage image) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    return g;
  }

  /** Metrics of {@code font} as {@link #graphics} draws it, for laying out before drawing. */
  static FontMetrics metrics(Font font) {
    Graphics2D g = graphics(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB));
    try {
      return g.getFontMetrics(font);
    } finally {
      g.dispose();
    }
  }

  static int lineHeight(Font font) {
    return metrics(font).getHeight();
  }

  /** {@code text} cut to fit {@code maxWidth} pixels, ending in an ellipsis when cut. */
  static String fit(String text, FontMetrics metrics, int maxWidth) {
    if (metrics.stringWidth(text) <= maxWidth) return text;
    String ellipsis = "\u2026";
    int end = text.length();
    while (end > 0 && metrics.stringWidth(text.substring(0, end) + ellipsis) > maxWidth) end--;
    return end == 0 ? "" : text.substring(0, end) + ellipsis;
  }

  /** Draws {@code text} horizontally centred on {@code centerX} with its baseline at {@code baseline}. */
  static void centered(Graphics2D g, String text, int centerX, int baseline) {
    g.drawString(text, centerX - g.getFontMetrics().stringWidth(text) / 2, baseline);
  }

  /** Draws {@code text} ending at {@code right}. */
  static void rightAligned(Graphics2D g, String text, int right, int baseline) {
    g.drawString(text, right - g.getFontMetrics().stringWidth(text), baseline);
  }

  /** A short label for a value of any magnitude: three significant digits, scientific when very small or large. */
  static String number(double value) {
    if (value == 0) return "0";
    double magnitude = Math.abs(value);
    if (magnitude >= 1e-3) {
      // %g itself turns scientific from 1000 up, where three digits no longer hold the integer part.
      String fixed = String.format(Locale.ROOT, "%.3g", value);
      return fixed.contains(".") && !fixed.contains("e") ? fixed.replaceAll("0+$", "").replaceAll("\\.$", "") : fixed;
    }
    return String.format(Locale.ROOT, "%.2e", value);
  }
}
