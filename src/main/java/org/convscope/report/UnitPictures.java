package org.convscope.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convscope.data.Dataset;
import org.convscope.render.Chart;
import org.convscope.render.ChartOptions;
import org.convscope.render.Grid;
import org.convscope.render.GridOptions;
import org.convscope.render.ImageOps;
import org.convscope.render.LineChart;
import org.convscope.render.Series;
import org.convscope.render.Tile;
import org.convscope.tensor.Tensor;
import org.convscope.units.GradientAscent;
import org.convscope.units.InputSpace;
import org.convscope.units.MaximallyActivatingPatches;
import org.convscope.units.NetworkDissection;

/**
 * The pictures of the unit analyses (the unit commands and the report), composed from
 * {@code org.convscope.render}: masks over images, grids of patches with one row per unit, strips of
 * optimization steps and objective plots.
 */
public final class UnitPictures {
  /** The frame of a patch whose receptive field reaches past the image border. */
  public static final Color CLIPPED = new Color(0xE6, 0x55, 0x00);
  /** The outline of a mask. */
  public static final Color MASK_EDGE = new Color(0xFF, 0xD8, 0x00);
  /** How bright the image stays outside a mask. */
  public static final float DIM = 0.3f;
  /** Grey for the parts of a patch beyond the image. */
  public static final float FILL = 0.5f;

  private UnitPictures() {}

  /**
   * The image [C,H,W] (values in [0,1]) where the mask [H,W] is 1, dimmed elsewhere, with the mask's edge (its
   * pixels next to one outside it) drawn in {@link #MASK_EDGE}.
   */
  public static BufferedImage maskOverlay(Tensor pixels, Tensor mask) {
    BufferedImage image = ImageOps.fromTensor(pixels);
    int height = mask.dim(0);
    int width = mask.dim(1);
    float[] m = mask.data();
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        if (m[y * width + x] == 0) {
          rgb = dim(rgb);
        } else if (outside(m, y - 1, x, height, width) || outside(m, y + 1, x, height, width)
            || outside(m, y, x - 1, height, width) || outside(m, y, x + 1, height, width)) {
          rgb = MASK_EDGE.getRGB() & 0xffffff;
        }
        out.setRGB(x, y, rgb);
      }
    }
    return out;
  }

  private static boolean outside(float[] mask, int y, int x, int height, int width) {
    return y >= 0 && y < height && x >= 0 && x < width && mask[y * width + x] == 0;
  }

  private static int dim(int rgb) {
    int out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) out |= Math.round((rgb >> shift & 0xff) * DIM) << shift;
    return out;
  }

  /** One row of masked images, each labelled with its image index and the unit's peak on it. */
  public static BufferedImage masks(NetworkDissection.Result result, int tileSize, String title) {
    List<Tile> tiles = maskTiles(result);
    return Grid.render(tiles, GridOptions.defaults().withTileSize(tileSize).withColumns(tiles.size()).withTitle(title));
  }

  /** One row of masked images per unit, labelled with the unit's channel. */
  public static BufferedImage maskRows(List<NetworkDissection.Result> results, int tileSize, String title) {
    List<String> labels = new ArrayList<>();
    List<List<Tile>> rows = new ArrayList<>();
    for (NetworkDissection.Result r : results) {
      labels.add("#" + r.channel());
      rows.add(maskTiles(r));
    }
    return Grid.rows(labels, rows, GridOptions.defaults().withTileSize(tileSize).withTitle(title));
  }

  private static List<Tile> maskTiles(NetworkDissection.Result result) {
    List<Tile> tiles = new ArrayList<>();
    for (NetworkDissection.UnitMask m : result.masks()) {
      tiles.add(Tile.of(maskOverlay(m.pixels(), m.mask())).withLabel(String.format("#%d peak %.3g", m.image(), m.peak())));
    }
    return tiles;
  }

  /**
   * One row per unit of its patches, best first, labelled with the activation; patches whose field reaches past
   * the image border are framed in {@link #CLIPPED} and hold {@link #FILL} grey where the field lies outside.
   * Images are read from the dataset a unit at a time, and each patch is shrunk to the tile size at once, so
   * memory holds tiles rather than whole fields.
   */
  public static BufferedImage patches(MaximallyActivatingPatches.Result result, Dataset data, int tileSize, String title) {
    List<String> labels = new ArrayList<>();
    List<List<Tile>> rows = new ArrayList<>();
    for (MaximallyActivatingPatches.Unit unit : result.units()) {
      List<Tensor> crops = MaximallyActivatingPatches.crops(data, unit, FILL);
      List<Tile> row = new ArrayList<>();
      for (int i = 0; i < crops.size(); i++) {
        MaximallyActivatingPatches.Patch patch = unit.patches().get(i);
        Tile tile = Tile.of(fit(ImageOps.fromTensor(crops.get(i)), tileSize)).withLabel(String.format("%.3g", patch.activation().value()));
        row.add(patch.clipped() ? tile.withBorder(CLIPPED) : tile);
      }
      labels.add("#" + unit.channel());
      rows.add(row);
    }
    return Grid.rows(labels, rows, GridOptions.defaults().withTileSize(tileSize).withTitle(title));
  }

  /** The image scaled so its longer side is {@code size}, as the grid would, before it is kept. */
  private static BufferedImage fit(BufferedImage image, int size) {
    double scale = size / (double) Math.max(image.getWidth(), image.getHeight());
    if (scale >= 1) return ImageOps.upscale(image, (int) Math.floor(scale));
    return ImageOps.resize(image, Math.max(1, (int) Math.round(image.getWidth() * scale)),
        Math.max(1, (int) Math.round(image.getHeight() * scale)));
  }

  /** A model input [1,C,H,W] as an RGB image. */
  public static BufferedImage picture(Tensor input, InputSpace space) {
    return ImageOps.fromTensor(space.toPixels(input));
  }

  /** The image enlarged by a whole factor (nearest, so pixels stay sharp) until its longer side reaches {@code size}. */
  public static BufferedImage enlarged(BufferedImage image, int size) {
    int factor = Math.max(1, size / Math.max(image.getWidth(), image.getHeight()));
    return factor == 1 ? image : ImageOps.upscale(image, factor);
  }

  /** The snapshots of a gradient ascent side by side, each labelled with its step. */
  public static BufferedImage strip(List<GradientAscent.Snapshot> snapshots, InputSpace space, int tileSize, String title) {
    List<Tile> tiles = new ArrayList<>();
    for (GradientAscent.Snapshot s : snapshots) tiles.add(Tile.of(picture(s.image(), space)).withLabel("step " + s.step()));
    return Grid.render(tiles, GridOptions.defaults().withTileSize(tileSize).withColumns(tiles.size()).withTitle(title));
  }

  /** The objective against the step, with the regularized objective when it differs. */
  public static BufferedImage objectivePlot(double[] objective, double[] regularized, String title) {
    List<Series> series = new ArrayList<>(List.of(Series.of("objective", objective)));
    if (regularized != null && !Arrays.equals(objective, regularized)) series.add(Series.of("with penalties", regularized));
    Chart chart = LineChart.render(series, ChartOptions.defaults().withTitle(title).withAxisLabels("step", "objective"));
    return chart.image();
  }
}
