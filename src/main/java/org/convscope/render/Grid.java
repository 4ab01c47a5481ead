package org.convscope.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays out many small images in rows: first-layer filters, activation channels, dataset patches with one row
 * per unit. Every cell has the size of the largest scaled tile; tiles are centred in their cells, labels go
 * under the tiles, row labels to the left of the rows.
 */
public final class Grid {
  /** Width of a tile's border frame, drawn outside the tile. */
  static final int BORDER = 2;
  private static final int ROW_LABEL_GAP = 6;

  private Grid() {}

  public static BufferedImage render(List<Tile> tiles) {
    return render(tiles, GridOptions.defaults());
  }

  /** The tiles in reading order, {@code options.columns()} per row (square-ish when 0). */
  public static BufferedImage render(List<Tile> tiles, GridOptions options) {
    if (tiles.isEmpty()) throw new IllegalArgumentException("no tiles to lay out");
    int columns = options.columns() > 0
        ? Math.min(options.columns(), tiles.size())
        : (int) Math.ceil(Math.sqrt(tiles.size()));
    List<List<Tile>> rows = new ArrayList<>();
    for (int i = 0; i < tiles.size(); i += columns) rows.add(tiles.subList(i, Math.min(i + columns, tiles.size())));
    return rows(null, rows, options);
  }

  /**
   * One row per entry of {@code rows}, each labelled on the left by the matching entry of {@code rowLabels}
   * (e.g. "conv3 #12", for the top patches of a unit); {@code rowLabels} may be null.
   */
  public static BufferedImage rows(List<String> rowLabels, List<List<Tile>> rows, GridOptions options) {
    if (rowLabels != null && rowLabels.size() != rows.size()) {
      throw new IllegalArgumentException(rowLabels.size() + " row labels for " + rows.size() + " rows");
    }
    int columns = 0;
    boolean bordered = false;
    boolean labelled = false;
    int cellWidth = 1;
    int cellHeight = 1;
    List<List<BufferedImage>> scaled = new ArrayList<>();
    for (List<Tile> row : rows) {
      columns = Math.max(columns, row.size());
      List<BufferedImage> images = new ArrayList<>();
      for (Tile tile : row) {
        BufferedImage image = tile.image();
        BufferedImage s = ImageOps.scale(image, options.tileSize() / (double) Math.max(image.getWidth(), image.getHeight()));
        images.add(s);
        cellWidth = Math.max(cellWidth, s.getWidth());
        cellHeight = Math.max(cellHeight, s.getHeight());
        bordered |= tile.border() != null;
        labelled |= tile.label() != null;
      }
      scaled.add(images);
    }
    if (columns == 0) throw new IllegalArgumentException("no tiles to lay out");

    Font labelFont = Drawing.font(Drawing.LABEL_SIZE);
    FontMetrics labelMetrics = Drawing.metrics(labelFont);
    Font titleFont = Drawing.bold(Drawing.TITLE_SIZE);
    int frame = bordered ? BORDER : 0;
    int imageWidth = cellWidth + 2 * frame;
    int imageHeight = cellHeight + 2 * frame;
    int boxHeight = imageHeight + (labelled ? labelMetrics.getHeight() : 0);
    int rowLabelWidth = 0;
    if (rowLabels != null) {
      for (String label : rowLabels) rowLabelWidth = Math.max(rowLabelWidth, labelMetrics.stringWidth(label));
      rowLabelWidth += ROW_LABEL_GAP;
    }
    int gap = options.gap();
    int titleHeight = options.title() == null ? 0 : Drawing.lineHeight(titleFont) + gap;
    int width = 2 * gap + rowLabelWidth + columns * imageWidth + (columns - 1) * gap;
    int height = 2 * gap + titleHeight + rows.size() * boxHeight + (rows.size() - 1) * gap;

    BufferedImage out = Drawing.canvas(width, height, options.background());
    Graphics2D g = Drawing.graphics(out);
    Color text = textColor(options.background());
    if (options.title() != null) {
      g.setFont(titleFont);
      g.setColor(text);
      g.drawString(Drawing.fit(options.title(), g.getFontMetrics(), width - 2 * gap), gap, gap + g.getFontMetrics().getAscent());
    }
    g.setFont(labelFont);
    for (int r = 0; r < rows.size(); r++) {
      int top = gap + titleHeight + r * (boxHeight + gap);
      if (rowLabels != null) {
        g.setColor(text);
        int baseline = top + imageHeight / 2 + (labelMetrics.getAscent() - labelMetrics.getDescent()) / 2;
        Drawing.rightAligned(g, rowLabels.get(r), gap + rowLabelWidth - ROW_LABEL_GAP, baseline);
      }
      for (int c = 0; c < rows.get(r).size(); c++) {
        Tile tile = rows.get(r).get(c);
        BufferedImage image = scaled.get(r).get(c);
        int left = gap + rowLabelWidth + c * (imageWidth + gap);
        int x = left + (imageWidth - image.getWidth()) / 2;
        int y = top + (imageHeight - image.getHeight()) / 2;
        if (tile.border() != null) {
          // A frame just outside the tile: fill behind it, then draw the tile over the middle.
          g.setColor(tile.border());
          g.fillRect(x - BORDER, y - BORDER, image.getWidth() + 2 * BORDER, image.getHeight() + 2 * BORDER);
        }
        g.drawImage(image, x, y, null);
        if (tile.label() != null) {
          g.setColor(text);
          String label = Drawing.fit(tile.label(), labelMetrics, imageWidth);
          Drawing.centered(g, label, left + imageWidth / 2, top + imageHeight + labelMetrics.getAscent());
        }
      }
    }
    g.dispose();
    return out;
  }

  /** Black on light backgrounds, white on dark ones. */
  static Color textColor(Color background) {
    double luminance = 0.2126 * background.getRed() + 0.7152 * background.getGreen() + 0.0722 * background.getBlue();
    return luminance > 128 ? Color.BLACK : Color.WHITE;
  }
}
