package org.convscope.render;

import java.awt.Color;

/**
 * How a {@link Grid} lays out its tiles.
 *
 * @param tileSize target length in pixels of a tile's longer side: smaller tiles grow by the largest whole
 *     factor that fits (nearest neighbour, so 3x3 filters stay crisp), larger ones shrink smoothly to it
 * @param columns tiles per row, or 0 for a square-ish grid; ignored when rows are given explicitly
 * @param gap pixels between tiles, and around the grid
 * @param background colour of the gaps and margins
 * @param title a line above the grid, or null
 */
public record GridOptions(int tileSize, int columns, int gap, Color background, String title) {
  public GridOptions {
    if (tileSize < 1 || columns < 0 || gap < 0) {
      throw new IllegalArgumentException("grid needs tileSize >= 1, columns >= 0, gap >= 0; got " + tileSize + ", "
          + columns + ", " + gap);
    }
    if (background == null) throw new IllegalArgumentException("background colour is required");
  }

  /** 64-pixel tiles, a square-ish grid, 2-pixel white gaps, no title. */
  public static GridOptions defaults() {
    return new GridOptions(64, 0, 2, Color.WHITE, null);
  }

  public GridOptions withTileSize(int tileSize) {
    return new GridOptions(tileSize, columns, gap, background, title);
  }

  public GridOptions withColumns(int columns) {
    return new GridOptions(tileSize, columns, gap, background, title);
  }

  public GridOptions withGap(int gap) {
    return new GridOptions(tileSize, columns, gap, background, title);
  }

  public GridOptions withBackground(Color background) {
    return new GridOptions(tileSize, columns, gap, background, title);
  }

  public GridOptions withTitle(String title) {
    return new GridOptions(tileSize, columns, gap, background, title);
  }
}
