package org.convscope.render;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.convscope.tensor.Tensor;

/** A layer drawn as images: convolution filters [out, in, kh, kw] and activation maps [C, h, w]. */
public final class LayerImages {
  private LayerImages() {}

  /**
   * Every filter as one image (in colour for 3 input channels, grey for 1), each scaled over its own min-max
   * range and enlarged with nearest-neighbour sampling so the pixels stay crisp, labelled with its index.
   */
  public static BufferedImage asImages(Tensor weights, String title) {
    List<Tile> tiles = Tiles.images(weights, Normalization.minMax(), Tiles.Scope.PER_TILE);
    List<Tile> labelled = new ArrayList<>();
    for (int i = 0; i < tiles.size(); i++) labelled.add(tiles.get(i).withLabel(String.valueOf(i)));
    return Grid.render(labelled, GridOptions.defaults().withTileSize(48).withTitle(title + ": " + weights.dim(0) + " filters"));
  }

  /** For deeper layers: one row per chosen filter, one grey tile per input channel, on one shared scale per row. */
  public static BufferedImage perInputChannel(Tensor weights, List<Integer> filters, String title) {
    int in = weights.dim(1);
    int kh = weights.dim(2);
    int kw = weights.dim(3);
    List<String> labels = new ArrayList<>();
    List<List<Tile>> rows = new ArrayList<>();
    for (int f : filters) {
      Tensor filter = weights.slice0(f, f + 1).reshape(in, 1, kh, kw);
      rows.add(Tiles.images(filter, Normalization.symmetric(), Tiles.Scope.SHARED));
      labels.add("filter " + f);
    }
    return Grid.rows(labels, rows, GridOptions.defaults().withTileSize(24).withColumns(in)
        .withTitle(title + ": filters by input channel"));
  }

  /**
   * Activation maps [C,h,w] as a viridis grid labelled with channel indices, each map on its own scale or, with
   * {@code sharedScale}, all on one so that their strengths compare.
   */
  public static BufferedImage activationGrid(Tensor maps, int[] channels, String title, boolean sharedScale) {
    List<Tile> tiles = Tiles.maps(maps, Colormap.VIRIDIS, Normalization.minMax(),
        sharedScale ? Tiles.Scope.SHARED : Tiles.Scope.PER_TILE);
    List<Tile> labelled = new ArrayList<>();
    for (int i = 0; i < tiles.size(); i++) labelled.add(tiles.get(i).withLabel(String.valueOf(channels[i])));
    return Grid.render(labelled, GridOptions.defaults().withTileSize(40).withTitle(title + ": " + channels.length + " channels"));
  }
}
