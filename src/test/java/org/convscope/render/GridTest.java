package org.convscope.render;

import static org.convscope.render.ColormapTest.assertColor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GridTest {
  private static final Color MAGENTA = new Color(255, 0, 255);

  /** Five 3x3 maps, each constant: 0, 0.25, 0.5, 0.75, 1. */
  private static Tensor constantMaps() {
    float[] data = new float[5 * 9];
    for (int i = 0; i < data.length; i++) data[i] = (i / 9) * 0.25f;
    return Tensor.of(data, 5, 3, 3);
  }

  @Test
  void constantTilesLandInTheirCellsWithBackgroundBetween() {
    List<Tile> tiles = Tiles.maps(constantMaps(), Colormap.GREY, Normalization.minMax(), Tiles.Scope.SHARED);
    // 3x3 tiles grow 10x to 30 pixels; 3 columns, 2 rows, 2-pixel gaps and margins.
    BufferedImage grid = Grid.render(tiles, GridOptions.defaults().withTileSize(30).withColumns(3).withBackground(MAGENTA));
    assertEquals(2 + 3 * 30 + 2 * 2 + 2, grid.getWidth());
    assertEquals(2 + 2 * 30 + 2 + 2, grid.getHeight());
    int[] levels = {0, 64, 128, 191, 255};
    for (int i = 0; i < 5; i++) {
      int x = 2 + (i % 3) * 32;
      int y = 2 + (i / 3) * 32;
      int grey = levels[i] * 0x010101;
      assertColor(grey, grid.getRGB(x + 15, y + 15), 0, "centre of tile " + i);
      assertColor(grey, grid.getRGB(x, y), 0, "first pixel of tile " + i);
      assertColor(grey, grid.getRGB(x + 29, y + 29), 0, "last pixel of tile " + i);
    }
    assertColor(0xff00ff, grid.getRGB(32, 10), 0, "gap between columns");
    assertColor(0xff00ff, grid.getRGB(10, 32), 0, "gap between rows");
    assertColor(0xff00ff, grid.getRGB(0, 0), 0, "margin");
    assertColor(0xff00ff, grid.getRGB(2 + 2 * 32 + 15, 2 + 32 + 15), 0, "the empty sixth cell");
  }

  @Test
  void perTileScalingStretchesEachTileAndSharedScalingCompares() {
    float[] data = new float[2 * 4];
    for (int i = 0; i < 4; i++) {
      data[i] = i; // 0..3
      data[4 + i] = 100 * i; // 0..300
    }
    Tensor maps = Tensor.of(data, 1, 2, 2, 2);
    List<Tile> perTile = Tiles.maps(maps);
    assertEquals(2, perTile.size());
    assertEquals(perTile.get(0).image().getRGB(1, 1), perTile.get(1).image().getRGB(1, 1), "both tops are the top colour");
    assertColor(Colormap.VIRIDIS.rgb(1), perTile.get(0).image().getRGB(1, 1), 0, "per-tile maximum");
    List<Tile> shared = Tiles.maps(maps, Colormap.VIRIDIS, Normalization.minMax(), Tiles.Scope.SHARED);
    assertColor(Colormap.VIRIDIS.rgb(3 / 300.0), shared.get(0).image().getRGB(1, 1), 0, "3 on a 0..300 scale");
  }

  @Test
  void nearestUpscalingKeepsACheckerCrisp() {
    BufferedImage checker = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    checker.setRGB(0, 0, 0xffffff);
    checker.setRGB(1, 1, 0xffffff);
    BufferedImage grid = Grid.render(List.of(Tile.of(checker)), GridOptions.defaults().withGap(0));
    assertEquals(64, grid.getWidth());
    assertEquals(64, grid.getHeight());
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        int expected = (x < 32) == (y < 32) ? 0xffffff : 0x000000;
        assertEquals(expected, grid.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void filtersBecomeRgbTilesAndLargeTilesShrinkToFit() {
    // Two 3-channel 1x1 "filters": (-1, 0, 1) and (2, 2, 2); per-tile min-max stretches the first to (0, 128, 255).
    Tensor filters = Tensor.of(new float[] {-1, 0, 1, 2, 2, 2}, 2, 3, 1, 1);
    List<Tile> tiles = Tiles.images(filters, Normalization.minMax(), Tiles.Scope.PER_TILE);
    assertColor(0x0080ff, tiles.get(0).image().getRGB(0, 0), 0, "stretched filter");
    assertColor(0x000000, tiles.get(1).image().getRGB(0, 0), 0, "a constant filter is the low colour");

    BufferedImage wide = new BufferedImage(128, 64, BufferedImage.TYPE_INT_RGB);
    BufferedImage grid = Grid.render(List.of(Tile.of(wide)), GridOptions.defaults().withTileSize(32).withGap(0));
    assertEquals(32, grid.getWidth());
    assertEquals(16, grid.getHeight());
  }

  @Test
  void bordersFrameTheirTilesOnly() {
    BufferedImage black = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    List<Tile> tiles = List.of(Tile.of(black).withBorder(Color.RED), Tile.of(black));
    BufferedImage grid = Grid.render(tiles, GridOptions.defaults().withTileSize(8).withGap(2).withColumns(2));
    // Each cell is the 8-pixel tile plus a 2-pixel frame on every side.
    int cell = 8 + 2 * Grid.BORDER;
    assertEquals(2 + cell + 2 + cell + 2, grid.getWidth());
    int tileLeft = 2 + Grid.BORDER;
    assertColor(0xff0000, grid.getRGB(tileLeft - 1, tileLeft + 4), 0, "frame left of the first tile");
    assertColor(0xff0000, grid.getRGB(tileLeft + 8, tileLeft + 4), 0, "frame right of the first tile");
    assertColor(0xff0000, grid.getRGB(tileLeft + 4, tileLeft - 2), 0, "frame above the first tile");
    assertColor(0x000000, grid.getRGB(tileLeft, tileLeft), 0, "the tile itself");
    int secondLeft = tileLeft + cell + 2;
    assertColor(0xffffff, grid.getRGB(secondLeft - 1, tileLeft + 4), 0, "no frame on the second tile");
    assertColor(0x000000, grid.getRGB(secondLeft, tileLeft), 0, "the second tile");
  }

  @Test
  void labelsGoUnderTilesAndRowLabelsToTheLeft() {
    BufferedImage red = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++) red.setRGB(x, y, 0xff0000);
    GridOptions options = GridOptions.defaults().withTileSize(40).withTitle("conv1 units");
    BufferedImage plain = Grid.rows(null, List.of(List.of(Tile.of(red)), List.of(Tile.of(red))), options.withTitle(null));
    List<List<Tile>> rows = List.of(List.of(Tile.of(red).withLabel("0.93")), List.of(Tile.of(red).withLabel("0.88")));
    BufferedImage labelled = Grid.rows(List.of("unit 7", "unit 12"), rows, options);
    assertTrue(labelled.getWidth() > plain.getWidth(), "row labels widen the grid");
    assertTrue(labelled.getHeight() > plain.getHeight(), "a title and tile labels heighten it");

    // Find the first tile by its colour; the label area under it holds dark text pixels.
    int[] box = bounds(labelled, 0xff0000);
    assertTrue(box[0] > 20, "the tile moved right of the row labels");
    assertEquals(40, box[2] - box[0] + 1, "tiles are 40 pixels wide");
    int labelHeight = Drawing.lineHeight(Drawing.font(Drawing.LABEL_SIZE));
    assertEquals(40 + labelHeight + 2 + 40, box[3] - box[1] + 1, "two tiles, a label line and a gap, top to bottom");
    assertTrue(darkPixels(labelled, 0, box[1], box[0], box[1] + 40) > 5, "row label text");
    assertTrue(darkPixels(labelled, box[0], box[1] + 40, box[2] + 1, box[1] + 55) > 5, "tile label text");
    assertTrue(darkPixels(labelled, 0, 0, labelled.getWidth(), box[1]) > 5, "title text");
  }

  /** [minX, minY, maxX, maxY] of the pixels of one colour. */
  static int[] bounds(BufferedImage image, int rgb) {
    int[] box = {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1};
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) != rgb) continue;
        box[0] = Math.min(box[0], x);
        box[1] = Math.min(box[1], y);
        box[2] = Math.max(box[2], x);
        box[3] = Math.max(box[3], y);
      }
    }
    assertNotEquals(-1, box[2], String.format("no pixel of colour #%06x", rgb));
    return box;
  }

  /** How many pixels in [x0,x1) x [y0,y1) are dark grey or black (text on white). */
  static int darkPixels(BufferedImage image, int x0, int y0, int x1, int y1) {
    int count = 0;
    for (int y = y0; y < Math.min(y1, image.getHeight()); y++) {
      for (int x = x0; x < Math.min(x1, image.getWidth()); x++) {
        int c = image.getRGB(x, y);
        if ((c >> 16 & 0xff) < 100 && (c >> 8 & 0xff) < 100 && (c & 0xff) < 100) count++;
      }
    }
    return count;
  }

  @Test
  void squareIshByDefault() {
    List<Tile> tiles = new ArrayList<>();
    for (int i = 0; i < 10; i++) tiles.add(Tile.of(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)));
    BufferedImage grid = Grid.render(tiles, GridOptions.defaults().withTileSize(10).withGap(0));
    assertEquals(40, grid.getWidth(), "ceil(sqrt(10)) = 4 columns");
    assertEquals(30, grid.getHeight(), "3 rows");
  }
}
