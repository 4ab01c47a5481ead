package org.convscope.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.convscope.embed.Metric;
import org.convscope.render.Grid;
import org.convscope.render.GridOptions;
import org.convscope.render.ImageOps;
import org.convscope.render.Tile;
import org.convscope.tensor.Tensor;

/**
 * The lecture's comparison of nearest neighbours (Krizhevsky, Sutskever and Hinton, "ImageNet Classification with
 * Deep Convolutional Neural Networks", NeurIPS 2012, figure 4): for a few query images, the nearest images by
 * cosine distance between their features, beside the nearest by cosine distance between their raw pixels.
 * Feature neighbours share the query's meaning even when their pixels differ. Writes neighbors-Q.png per query.
 */
final class NeighborsSection implements ReportSection {
  static final int QUERIES = 3;
  static final int K = 8;
  static final int TILE_SIZE = 112;
  private static final Color SAME_CLASS = new Color(0x2ca02c);
  private static final Color OTHER_CLASS = new Color(0xd62728);

  private final EmbeddingFeatures features;

  NeighborsSection(EmbeddingFeatures features) {
    this.features = features;
  }

  @Override
  public String title() {
    return "Nearest neighbours";
  }

  @Override
  public String write(ReportContext c) throws IOException {
    EmbeddingFeatures.Computed f = features.of(c);
    int n = f.n();
    int k = Math.min(K, n - 1);
    int[] all = new int[n];
    java.util.Arrays.setAll(all, i -> i);
    Tensor images = c.pixels(all);
    int size = images.size() / n;
    float[] pixels = new float[n * size];
    for (int i = 0; i < n; i++) {
      float[] unit = Metric.COSINE.prepare(java.util.Arrays.copyOfRange(images.data(), i * size, (i + 1) * size));
      System.arraycopy(unit, 0, pixels, i * size, size);
    }
    StringBuilder html = new StringBuilder(Html.p(String.format(Locale.ROOT,
        "For %d of the sample images: the %d nearest of the first %,d images by cosine distance between the "
            + "features of %s (top row), and between the raw pixels (bottom row). Green frames: same class as "
            + "the query; red: another class.", QUERIES, k, n, f.layer())));
    html.append("<div class=\"row\">");
    int shown = 0;
    for (int query : c.samples()) {
      if (query >= n || shown == QUERIES) continue;
      BufferedImage grid = grid(c, f, query, k, pixels, size);
      String png = c.png("neighbors-" + query + ".png", grid);
      html.append("<figure>").append(Html.img(png, "neighbours of image " + query)).append("<figcaption>query: image ")
          .append(query).append(" (").append(Html.escape(c.labelName(f.labels()[query]))).append(")</figcaption></figure>");
      shown++;
    }
    return html.append("</div>").toString();
  }

  private static BufferedImage grid(ReportContext c, EmbeddingFeatures.Computed f, int query, int k, float[] pixels,
      int size) throws IOException {
    double[] featureDistances = new double[k];
    double[] pixelDistances = new double[k];
    int[] byFeatures = EmbeddingFeatures.nearest(f.vectors(), f.n(), f.d(), query, k, featureDistances);
    int[] byPixels = EmbeddingFeatures.nearest(pixels, f.n(), size, query, k, pixelDistances);
    Tile queryTile = new Tile(image(c, query), "query: " + c.labelName(f.labels()[query]), Color.BLACK);
    List<List<Tile>> rows = List.of(row(c, f, queryTile, byFeatures, featureDistances, query),
        row(c, f, queryTile, byPixels, pixelDistances, query));
    return Grid.rows(List.of("features", "pixels"), rows, GridOptions.defaults().withTileSize(TILE_SIZE).withGap(4)
        .withTitle("nearest neighbours of image " + query + ", cosine distance"));
  }

  private static List<Tile> row(ReportContext c, EmbeddingFeatures.Computed f, Tile queryTile, int[] neighbors,
      double[] distances, int query) throws IOException {
    List<Tile> row = new ArrayList<>();
    row.add(queryTile);
    for (int r = 0; r < neighbors.length; r++) {
      int j = neighbors[r];
      int label = f.labels()[j];
      Color border = label < 0 || f.labels()[query] < 0 ? null : label == f.labels()[query] ? SAME_CLASS : OTHER_CLASS;
      row.add(new Tile(image(c, j), c.labelName(label) + String.format(Locale.ROOT, " %.4f", distances[r]), border));
    }
    return row;
  }

  private static BufferedImage image(ReportContext c, int index) throws IOException {
    return ImageOps.fromTensor(c.pixels(new int[] {index}));
  }
}
