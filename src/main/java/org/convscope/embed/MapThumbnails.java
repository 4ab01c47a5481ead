package org.convscope.embed;

import java.util.Arrays;

/**
 * Which points of a 2-D map get a thumbnail: the point nearest the centre of each cell of a coarse grid over
 * the map, so the images spread over it and none covers another.
 */
public final class MapThumbnails {
  private MapThumbnails() {}

  /**
   * The chosen points of the n points at (coordinates[2i], coordinates[2i+1]), at most one per cell of a
   * {@code cells} x {@code cells} grid over their bounding box, in increasing order.
   */
  public static int[] choose(double[] coordinates, int n, int cells) {
    if (cells < 1) throw new IllegalArgumentException("need at least one grid cell, not " + cells);
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      minX = Math.min(minX, coordinates[2 * i]);
      maxX = Math.max(maxX, coordinates[2 * i]);
      minY = Math.min(minY, coordinates[2 * i + 1]);
      maxY = Math.max(maxY, coordinates[2 * i + 1]);
    }
    double w = Math.max((maxX - minX) / cells, 1e-12);
    double h = Math.max((maxY - minY) / cells, 1e-12);
    int[] best = new int[cells * cells];
    double[] bestDistance = new double[best.length];
    Arrays.fill(best, -1);
    for (int i = 0; i < n; i++) {
      int cx = Math.min(cells - 1, (int) ((coordinates[2 * i] - minX) / w));
      int cy = Math.min(cells - 1, (int) ((coordinates[2 * i + 1] - minY) / h));
      double dx = coordinates[2 * i] - (minX + (cx + 0.5) * w);
      double dy = coordinates[2 * i + 1] - (minY + (cy + 0.5) * h);
      int cell = cy * cells + cx;
      if (best[cell] < 0 || dx * dx + dy * dy < bestDistance[cell]) {
        best[cell] = i;
        bestDistance[cell] = dx * dx + dy * dy;
      }
    }
    return Arrays.stream(best).filter(i -> i >= 0).sorted().toArray();
  }
}
