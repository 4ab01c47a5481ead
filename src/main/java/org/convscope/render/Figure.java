package org.convscope.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A figure as in the papers: the input and several method maps side by side, each captioned (method, class,
 * score), under a title line.
 */
public final class Figure {
  private static final int MARGIN = 8;
  private static final int GAP = 8;
  private static final float CAPTION_SIZE = 12;

  /** One image of a figure with the caption lines above it, e.g. "Grad-CAM", "tabby cat 0.87". */
  public record Column(BufferedImage image, List<String> caption) {
    public Column {
      if (image == null) throw new IllegalArgumentException("a figure column needs an image");
      caption = List.copyOf(caption);
    }

    public static Column of(BufferedImage image, String... caption) {
      return new Column(image, List.of(caption));
    }
  }

  private Figure() {}

  /** The columns at their own sizes; {@code title} may be null. */
  public static BufferedImage render(String title, List<Column> columns) {
    return render(title, columns, 0);
  }

  /**
   * The columns with every image scaled to about {@code imageHeight} pixels tall (a whole-number nearest
   * upscale for small inputs, smooth shrinking for large), or at their own sizes when it is 0.
   */
  public static BufferedImage render(String title, List<Column> columns, int imageHeight) {
    if (columns.isEmpty()) throw new IllegalArgumentException("a figure needs at least one column");
    if (imageHeight < 0) throw new IllegalArgumentException("image height must be >= 0, got " + imageHeight);
    Font captionFont = Drawing.font(CAPTION_SIZE);
    FontMetrics captionMetrics = Drawing.metrics(captionFont);
    Font titleFont = Drawing.bold(Drawing.TITLE_SIZE);
    List<BufferedImage> images = new ArrayList<>();
    int[] widths = new int[columns.size()];
    int captionLines = 0;
    int tallest = 0;
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      BufferedImage image = column.image();
      if (imageHeight > 0) image = ImageOps.scale(image, imageHeight / (double) image.getHeight());
      images.add(image);
      widths[i] = image.getWidth();
      for (String line : column.caption()) widths[i] = Math.max(widths[i], captionMetrics.stringWidth(line));
      captionLines = Math.max(captionLines, column.caption().size());
      tallest = Math.max(tallest, image.getHeight());
    }
    int titleHeight = title == null ? 0 : Drawing.lineHeight(titleFont) + GAP;
    int captionHeight = captionLines == 0 ? 0 : captionLines * captionMetrics.getHeight() + GAP / 2;
    int width = 2 * MARGIN + (columns.size() - 1) * GAP;
    for (int w : widths) width += w;
    int height = 2 * MARGIN + titleHeight + captionHeight + tallest;

    BufferedImage out = Drawing.canvas(width, height, Color.WHITE);
    Graphics2D g = Drawing.graphics(out);
    g.setColor(Color.BLACK);
    if (title != null) {
      g.setFont(titleFont);
      g.drawString(Drawing.fit(title, g.getFontMetrics(), width - 2 * MARGIN), MARGIN, MARGIN + g.getFontMetrics().getAscent());
    }
    g.setFont(captionFont);
    int left = MARGIN;
    for (int i = 0; i < columns.size(); i++) {
      int center = left + widths[i] / 2;
      int baseline = MARGIN + titleHeight + captionMetrics.getAscent();
      for (String line : columns.get(i).caption()) {
        Drawing.centered(g, line, center, baseline);
        baseline += captionMetrics.getHeight();
      }
      BufferedImage image = images.get(i);
      g.drawImage(image, center - image.getWidth() / 2, MARGIN + titleHeight + captionHeight, null);
      left += widths[i] + GAP;
    }
    g.dispose();
    return out;
  }
}
