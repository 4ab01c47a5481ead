package org.convscope.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A confusion matrix as a heatmap: one row per true class, one column per predicted class, each cell
 * showing its count where it fits and coloured (viridis) by its share of the row, so rare classes read as
 * clearly as common ones. Class names label the rows on the left and the columns underneath, turned upright,
 * while the cells are tall enough for text.
 */
public final class ConfusionMatrixPlot {
  private static final int MARGIN = 10;
  private static final int LABEL_GAP = 6;

  private ConfusionMatrixPlot() {}

  /** {@code counts[t][p]}: examples of true class t predicted as p. {@code title} may be null. */
  public static BufferedImage render(int[][] counts, List<String> classNames, String title) {
    int n = classNames.size();
    if (n == 0 || counts.length != n) {
      throw new IllegalArgumentException("confusion matrix needs one row per class: " + counts.length + " rows, " + n + " classes");
    }
    for (int[] row : counts) {
      if (row.length != n) throw new IllegalArgumentException("confusion matrix rows need " + n + " counts, got " + row.length);
    }
    int cell = cellSize(n);
    Font labelFont = Drawing.font(Drawing.LABEL_SIZE);
    FontMetrics metrics = Drawing.metrics(labelFont);
    Font titleFont = Drawing.bold(Drawing.TITLE_SIZE);
    int line = metrics.getHeight();
    // Names need a cell per text line; with hundreds of classes only the colours remain readable.
    boolean named = cell >= metrics.getAscent();
    int nameWidth = 0;
    if (named) for (String name : classNames) nameWidth = Math.max(nameWidth, metrics.stringWidth(name));

    int titleHeight = title == null ? 0 : Drawing.lineHeight(titleFont) + 6;
    int left = MARGIN + line + LABEL_GAP + nameWidth + LABEL_GAP;
    int top = MARGIN + titleHeight;
    int matrix = n * cell;
    int width = Math.max(left + matrix + MARGIN, title == null ? 0 : Drawing.metrics(titleFont).stringWidth(title) + 2 * MARGIN);
    int height = top + matrix + LABEL_GAP + nameWidth + LABEL_GAP + line + MARGIN;
    BufferedImage out = Drawing.canvas(width, height, Color.WHITE);
    Graphics2D g = Drawing.graphics(out);
    g.setFont(labelFont);
    for (int t = 0; t < n; t++) {
      long total = 0;
      for (int count : counts[t]) total += count;
      for (int p = 0; p < n; p++) {
        double share = total == 0 ? 0 : counts[t][p] / (double) total;
        Color colour = Colormap.VIRIDIS.color(share);
        int x = left + p * cell;
        int y = top + t * cell;
        g.setColor(colour);
        g.fillRect(x, y, cell, cell);
        String count = String.valueOf(counts[t][p]);
        if (metrics.stringWidth(count) <= cell - 2 && line <= cell) {
          g.setColor(Grid.textColor(colour));
          Drawing.centered(g, count, x + cell / 2, y + cell / 2 + (metrics.getAscent() - metrics.getDescent()) / 2);
        }
      }
    }
    g.setColor(Color.BLACK);
    if (named) drawClassNames(g, classNames, cell, left, top, metrics);
    Drawing.centered(g, "predicted class", left + matrix / 2, height - MARGIN - metrics.getDescent());
    AffineTransform saved = g.getTransform();
    g.translate(MARGIN + metrics.getAscent(), top + matrix / 2.0);
    g.rotate(-Math.PI / 2);
    Drawing.centered(g, "true class", 0, 0);
    g.setTransform(saved);
    if (title != null) {
      g.setFont(titleFont);
      g.drawString(title, MARGIN, MARGIN + g.getFontMetrics().getAscent());
    }
    g.dispose();
    return out;
  }

  /** Row names right-aligned left of the matrix; column names reading upwards, ending just under it. */
  private static void drawClassNames(Graphics2D g, List<String> classNames, int cell, int left, int top, FontMetrics metrics) {
    int matrix = classNames.size() * cell;
    for (int i = 0; i < classNames.size(); i++) {
      int middle = i * cell + cell / 2 + (metrics.getAscent() - metrics.getDescent()) / 2;
      Drawing.rightAligned(g, classNames.get(i), left - LABEL_GAP, top + middle);
      AffineTransform saved = g.getTransform();
      g.translate(left + middle, top + matrix + LABEL_GAP);
      g.rotate(-Math.PI / 2);
      Drawing.rightAligned(g, classNames.get(i), 0, 0);
      g.setTransform(saved);
    }
  }

  /** Cells shrink with more classes, from 48 pixels (10 or fewer) to 2 (ImageNet's 1000 classes). */
  static int cellSize(int classes) {
    return Math.max(2, Math.min(48, 480 / classes));
  }
}
