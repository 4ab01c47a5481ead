package org.convscope.explain;

import org.convscope.engine.InvalidInputException;

/**
 * The pointing game: Zhang, Bargal, Lin, Brandt, Shen and Sclaroff, "Top-down Neural Attention by Excitation
 * Backprop", ECCV 2016 (IJCV 2018). A map scores a hit when its maximum (in its
 * {@link Attribution#pixelMap pixel map}) lies inside the object's bounding box, or within a tolerance of it
 * (the paper allows 15 pixels).
 */
public final class PointingGame {

  /**
   * A box in the input tensor's pixel coordinates: columns x0 to x1 and rows y0 to y1, ends exclusive.
   */
  public record Box(int x0, int y0, int x1, int y1) {
    public Box {
      if (x0 < 0 || y0 < 0 || x1 <= x0 || y1 <= y0) {
        throw new InvalidInputException("a box needs 0 <= x0 < x1 and 0 <= y0 < y1, got " + x0 + "," + y0 + "," + x1 + "," + y1);
      }
    }

    /** Parses "x0,y0,x1,y1". */
    public static Box parse(String text) {
      String[] parts = text.split(",");
      if (parts.length != 4) throw new InvalidInputException("a box is x0,y0,x1,y1, got '" + text + "'");
      int[] v = new int[4];
      for (int i = 0; i < 4; i++) {
        try {
          v[i] = Integer.parseInt(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new InvalidInputException("a box is four whole pixel coordinates x0,y0,x1,y1, got '" + text + "'");
        }
      }
      return new Box(v[0], v[1], v[2], v[3]);
    }

    /** Whether pixel (x, y) lies within {@code tolerance} pixels of the box (Chebyshev distance). */
    boolean near(int x, int y, int tolerance) {
      return x >= x0 - tolerance && x < x1 + tolerance && y >= y0 - tolerance && y < y1 + tolerance;
    }
  }

  private PointingGame() {}

  /** Fails unless the box lies inside an input of this size. */
  static void checkInside(Box box, int height, int width) {
    if (box.x1() > width || box.y1() > height) {
      throw new InvalidInputException("box " + box.x0() + "," + box.y0() + "," + box.x1() + "," + box.y1()
          + " reaches outside the " + width + "x" + height + " input");
    }
  }

  /** For each item, whether the map's maximum (the first, in row-major order) falls on the box. */
  public static boolean[] hits(Attribution attribution, int height, int width, Box box, int tolerance) {
    if (tolerance < 0) throw new InvalidInputException("pointing game tolerance must be >= 0, got " + tolerance);
    checkInside(box, height, width);
    float[] map = attribution.pixelMap(height, width).data();
    int plane = height * width;
    boolean[] hits = new boolean[map.length / plane];
    for (int i = 0; i < hits.length; i++) {
      int best = i * plane;
      for (int p = i * plane; p < (i + 1) * plane; p++) if (map[p] > map[best]) best = p;
      int at = best - i * plane;
      hits[i] = box.near(at % width, at / width, tolerance);
    }
    return hits;
  }
}
