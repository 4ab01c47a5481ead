package org.convscope.render;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.convscope.tensor.Tensor;

/** Turns image tensors into RGB images, and scales images: crisply (nearest) up, smoothly down. */
public final class ImageOps {
  private ImageOps() {}

  /** An image from a [3,H,W] (RGB) or [1,H,W] or [H,W] (grey) tensor with values in [0,1], clamped; leading 1s are dropped. */
  public static BufferedImage fromTensor(Tensor image) {
    return fromTensor(image, new ValueRange(0, 1));
  }

  /** An image from an image tensor whose values {@code range} maps to black..full intensity (e.g. a filter's weights). */
  public static BufferedImage fromTensor(Tensor image, ValueRange range) {
    int[] chw = channelsHeightWidth(image);
    int channels = chw[0];
    int height = chw[1];
    int width = chw[2];
    float[] v = image.data();
    int plane = height * width;
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        int r = level(range.fraction(v[i]));
        int g = channels == 3 ? level(range.fraction(v[plane + i])) : r;
        int b = channels == 3 ? level(range.fraction(v[2 * plane + i])) : r;
        out.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return out;
  }

  /** Each pixel becomes a {@code factor} x {@code factor} block, so small filters and maps stay crisp. */
  public static BufferedImage upscale(BufferedImage image, int factor) {
    if (factor < 1) throw new IllegalArgumentException("upscale factor must be at least 1, got " + factor);
    int width = image.getWidth();
    int height = image.getHeight();
    BufferedImage out = new BufferedImage(width * factor, height * factor, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[width * factor];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) Arrays.fill(row, x * factor, (x + 1) * factor, image.getRGB(x, y));
      for (int k = 0; k < factor; k++) out.setRGB(0, y * factor + k, row.length, 1, row, 0, row.length);
    }
    return out;
  }

  /** The image resampled smoothly to {@code width} x {@code height}; shrinking halves in steps so it does not alias. */
  public static BufferedImage resize(BufferedImage image, int width, int height) {
    if (width < 1 || height < 1) throw new IllegalArgumentException("cannot resize to " + width + "x" + height);
    BufferedImage current = image;
    while (current.getWidth() / 2 >= width && current.getHeight() / 2 >= height) {
      current = draw(current, current.getWidth() / 2, current.getHeight() / 2);
    }
    return current.getWidth() == width && current.getHeight() == height && current.getType() == BufferedImage.TYPE_INT_RGB
        ? current
        : draw(current, width, height);
  }

  /** Scaled by {@code scale}: a whole-number nearest upscale when growing (at least 1x), smooth when shrinking. */
  static BufferedImage scale(BufferedImage image, double scale) {
    if (scale >= 1) {
      int factor = (int) Math.floor(scale);
      return factor == 1 ? image : upscale(image, factor);
    }
    return resize(image, Math.max(1, (int) Math.round(image.getWidth() * scale)),
        Math.max(1, (int) Math.round(image.getHeight() * scale)));
  }

  /** [channels, height, width] of an image tensor, with channels 1 or 3. */
  static int[] channelsHeightWidth(Tensor image) {
    int[] shape = image.shape();
    int drop = 0;
    while (shape.length - drop > 3 && shape[drop] == 1) drop++;
    int rank = shape.length - drop;
    if (rank == 2) return new int[] {1, shape[drop], shape[drop + 1]};
    if (rank == 3 && (shape[drop] == 1 || shape[drop] == 3)) return new int[] {shape[drop], shape[drop + 1], shape[drop + 2]};
    throw new IllegalArgumentException("expected an image tensor [3,H,W], [1,H,W] or [H,W], got " + image);
  }

  /** [height, width] of a 2-D map tensor: [H,W], or with leading dimensions of size 1. */
  static int[] heightWidth(Tensor map) {
    int[] shape = map.shape();
    for (int i = 0; i < shape.length - 2; i++) {
      if (shape[i] != 1) throw new IllegalArgumentException("expected a 2-D map [H,W] or [1,H,W], got " + map);
    }
    if (shape.length < 2) throw new IllegalArgumentException("expected a 2-D map [H,W] or [1,H,W], got " + map);
    return new int[] {shape[shape.length - 2], shape[shape.length - 1]};
  }

  /** A fraction in [0,1] as a colour level 0..255. */
  static int level(double fraction) {
    return (int) Math.round(fraction * 255);
  }

  private static BufferedImage draw(BufferedImage image, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = Drawing.graphics(out);
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, width, height, null);
    g.dispose();
    return out;
  }
}
