package org.convscope.render;

import java.awt.Color;
import java.awt.image.BufferedImage;

/**
 * One cell of a {@link Grid}: an image, an optional label drawn under it (index, class name, score) and an
 * optional border colour (e.g. to mark a dataset patch clipped at the image border).
 *
 * @param label text under the tile, or null
 * @param border colour of a frame around the tile, or null for none
 */
public record Tile(BufferedImage image, String label, Color border) {
  public Tile {
    if (image == null) throw new IllegalArgumentException("a tile needs an image");
  }

  public static Tile of(BufferedImage image) {
    return new Tile(image, null, null);
  }

  public Tile withLabel(String label) {
    return new Tile(image, label, border);
  }

  public Tile withBorder(Color border) {
    return new Tile(image, label, border);
  }
}
