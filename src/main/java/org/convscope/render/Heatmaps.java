package org.convscope.render;

import java.awt.image.BufferedImage;
import org.convscope.tensor.Tensor;

/**
 * 2-D maps (activations, Grad-CAM, saliency) as images: coloured on their own, or upsampled and blended over
 * the input image. Maps are float tensors [H,W] (or with leading dimensions of size 1) of any resolution.
 */
public final class Heatmaps {
  private Heatmaps() {}

  /** The map coloured at its own resolution, one pixel per value; {@link Grid} upscales it crisply. */
  public static BufferedImage image(Tensor map, HeatmapOptions options) {
    int[] hw = ImageOps.heightWidth(map);
    return image(map, hw[1], hw[0], options);
  }

  /** The map upsampled bilinearly to {@code width} x {@code height} and coloured. */
  public static BufferedImage image(Tensor map, int width, int height, HeatmapOptions options) {
    ValueRange range = options.normalization().rangeOf(map.data());
    BufferedImage out = colour(upsample(map, height, width), width, height, options.colormap(), range);
    return options.colorBar() ? ColorBar.attach(out, options.colormap(), range) : out;
  }

  /**
   * The map upsampled bilinearly to the image's size, coloured, and blended over the image:
   * {@code (1 - alpha) * image + alpha * colour}. The range is taken from the map's own values.
   */
  public static BufferedImage overlay(BufferedImage image, Tensor map, HeatmapOptions options) {
    int width = image.getWidth();
    int height = image.getHeight();
    ValueRange range = options.normalization().rangeOf(map.data());
    float[] values = upsample(map, height, width);
    double alpha = options.alpha();
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int colour = options.colormap().rgb(range.fraction(values[y * width + x]));
        out.setRGB(x, y, blend(image.getRGB(x, y), colour, alpha));
      }
    }
    return options.colorBar() ? ColorBar.attach(out, options.colormap(), range) : out;
  }

  /** As {@link #overlay(BufferedImage, Tensor, HeatmapOptions)} over an image tensor [3,H,W] or [1,H,W] in [0,1]. */
  public static BufferedImage overlay(Tensor image, Tensor map, HeatmapOptions options) {
    return overlay(ImageOps.fromTensor(image), map, options);
  }

  /**
   * The map resampled to {@code height} x {@code width}, row-major, bilinearly with pixel centres aligned (as
   * PyTorch's {@code interpolate(align_corners=False)} and OpenCV's {@code resize} do): each output pixel
   * samples the map at its centre, and samples beyond the outer map centres take the edge value.
   */
  static float[] upsample(Tensor map, int height, int width) {
    int[] hw = ImageOps.heightWidth(map);
    int mapHeight = hw[0];
    int mapWidth = hw[1];
    float[] v = map.data();
    float[] out = new float[height * width];
    for (int y = 0; y < height; y++) {
      double sy = clamp((y + 0.5) * mapHeight / height - 0.5, mapHeight - 1);
      int y0 = (int) sy;
      int y1 = Math.min(y0 + 1, mapHeight - 1);
      double fy = sy - y0;
      for (int x = 0; x < width; x++) {
        double sx = clamp((x + 0.5) * mapWidth / width - 0.5, mapWidth - 1);
        int x0 = (int) sx;
        int x1 = Math.min(x0 + 1, mapWidth - 1);
        double fx = sx - x0;
        double top = v[y0 * mapWidth + x0] * (1 - fx) + v[y0 * mapWidth + x1] * fx;
        double bottom = v[y1 * mapWidth + x0] * (1 - fx) + v[y1 * mapWidth + x1] * fx;
        out[y * width + x] = (float) (top * (1 - fy) + bottom * fy);
      }
    }
    return out;
  }

  /** Row-major values coloured through a colormap, one pixel each. */
  static BufferedImage colour(float[] values, int width, int height, Colormap colormap, ValueRange range) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) out.setRGB(x, y, colormap.rgb(range.fraction(values[y * width + x])));
    }
    return out;
  }

  private static double clamp(double position, int last) {
    return Math.max(0, Math.min(position, last));
  }

  private static int blend(int under, int over, double alpha) {
    int rgb = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      int a = under >> shift & 0xff;
      int b = over >> shift & 0xff;
      rgb |= (int) Math.round(a + (b - a) * alpha) << shift;
    }
    return rgb;
  }
}
