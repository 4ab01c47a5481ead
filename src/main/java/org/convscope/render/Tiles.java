package org.convscope.render;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convscope.tensor.Tensor;

/** Turns stacks of maps or images (activation channels, filters) into {@link Tile}s for a {@link Grid}. */
public final class Tiles {
  /** Whether each tile is scaled by its own values or all tiles by the values of all. */
  public enum Scope {
    /** Each tile uses its full colour range: shows every tile's pattern, hides how strong it is. */
    PER_TILE,
    /** One range for all tiles: tiles compare with each other. */
    SHARED
  }

  private Tiles() {}

  /** Activation channels (or any stack of maps) in viridis, each over its own min-max range. */
  public static List<Tile> maps(Tensor maps) {
    return maps(maps, Colormap.VIRIDIS, Normalization.minMax(), Scope.PER_TILE);
  }

  /**
   * One coloured tile per map of a [N,H,W] tensor, at one pixel per value. A [1,N,H,W] activation tensor (a
   * batch of one) or a [N,1,H,W] stack is accepted too.
   */
  public static List<Tile> maps(Tensor maps, Colormap colormap, Normalization normalization, Scope scope) {
    int[] shape = maps.shape();
    boolean stack = shape.length == 3 || shape.length == 4 && (shape[0] == 1 || shape[1] == 1);
    if (!stack) throw new IllegalArgumentException("expected maps [N,H,W], [1,N,H,W] or [N,1,H,W], got " + maps);
    int height = shape[shape.length - 2];
    int width = shape[shape.length - 1];
    int count = shape.length == 3 ? shape[0] : shape[0] * shape[1];
    float[] data = maps.data();
    ValueRange shared = scope == Scope.SHARED ? normalization.rangeOf(data) : null;
    List<Tile> tiles = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      float[] values = Arrays.copyOfRange(data, n * height * width, (n + 1) * height * width);
      ValueRange range = shared != null ? shared : normalization.rangeOf(values);
      tiles.add(Tile.of(Heatmaps.colour(values, width, height, colormap, range)));
    }
    return tiles;
  }

  /**
   * One tile per image of a [N,C,H,W] tensor with C 1 (grey) or 3 (RGB), its values mapped by the range to
   * black..full intensity: first-layer filters (min-max per tile is the usual view) or dataset patches
   * ({@code Normalization.fixed(0, 1)}).
   */
  public static List<Tile> images(Tensor images, Normalization normalization, Scope scope) {
    int[] shape = images.shape();
    if (shape.length != 4 || (shape[1] != 1 && shape[1] != 3)) {
      throw new IllegalArgumentException("expected images [N,C,H,W] with C 1 or 3, got " + images);
    }
    int size = shape[1] * shape[2] * shape[3];
    float[] data = images.data();
    ValueRange shared = scope == Scope.SHARED ? normalization.rangeOf(data) : null;
    List<Tile> tiles = new ArrayList<>(shape[0]);
    for (int n = 0; n < shape[0]; n++) {
      float[] values = Arrays.copyOfRange(data, n * size, (n + 1) * size);
      ValueRange range = shared != null ? shared : normalization.rangeOf(values);
      BufferedImage image = ImageOps.fromTensor(Tensor.of(values, shape[1], shape[2], shape[3]), range);
      tiles.add(Tile.of(image));
    }
    return tiles;
  }
}
