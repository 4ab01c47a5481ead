package org.convscope.input;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.convscope.tensor.AtomicFiles;
import org.convscope.tensor.FileFormatException;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/** Converts between image files, {@link BufferedImage}s and NCHW float tensors. */
public final class Images {
  private Images() {}

  /** Decodes an image file (PNG, JPEG, or any other format javax.imageio reads). */
  public static BufferedImage read(Path file) throws IOException {
    BufferedImage image = decode(file);
    if (image == null) throw new FileFormatException(file.toString(), "not an image file; expected PNG or JPEG");
    return image;
  }

  /** Decodes an image file, or returns null when no decoder recognizes its format. */
  static BufferedImage decode(Path file) throws IOException {
    if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
    if (Files.isDirectory(file)) throw new FileFormatException(file.toString(), "is a folder; expected an image file");
    try {
      return ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      // Decoders signal corrupt data with IIOException, EOFException or runtime exceptions alike.
      throw new FileFormatException(file.toString(), "cannot decode the image (" + oneLine(e) + ")");
    }
  }

  /** Reads and preprocesses an image file into a [1,C,H,W] tensor. */
  public static Tensor load(Path file, Preprocessing preprocessing) throws IOException {
    return toTensor(read(file), preprocessing);
  }

  /** Preprocesses an image into a [1,C,H,W] float tensor, C being {@code preprocessing.channels()}. */
  public static Tensor toTensor(BufferedImage image, Preprocessing preprocessing) {
    int channels = preprocessing.channels();
    int height = image.getHeight();
    int width = image.getWidth();
    float[] pixels = unitPixels(image, channels);
    Preprocessing.Resize resize = preprocessing.resize();
    if (resize instanceof Preprocessing.To to) {
      pixels = Bilinear.resize(pixels, channels, height, width, to.height(), to.width());
      height = to.height();
      width = to.width();
    } else if (resize instanceof Preprocessing.ShorterSideThenCrop crop) {
      int shorter = Math.min(height, width);
      int longer = Math.max(height, width);
      // As torchvision: the longer side is truncated, the crop offset rounded half to even (Python's round).
      int scaledLonger = (int) ((long) crop.shorterSide() * longer / shorter);
      int newHeight = height <= width ? crop.shorterSide() : scaledLonger;
      int newWidth = height <= width ? scaledLonger : crop.shorterSide();
      pixels = Bilinear.resize(pixels, channels, height, width, newHeight, newWidth);
      int top = (int) Math.rint((newHeight - crop.height()) / 2.0);
      int left = (int) Math.rint((newWidth - crop.width()) / 2.0);
      pixels = crop(pixels, channels, newHeight, newWidth, top, left, crop.height(), crop.width());
      height = crop.height();
      width = crop.width();
    }
    int plane = height * width;
    for (int c = 0; c < channels; c++) {
      float mean = preprocessing.mean().get(c);
      float std = preprocessing.std().get(c);
      for (int i = c * plane; i < (c + 1) * plane; i++) pixels[i] = (pixels[i] - mean) / std;
    }
    return Tensor.of(pixels, 1, channels, height, width);
  }

  /**
   * Turns a normalized [1,C,H,W] or [C,H,W] tensor (C = 1 or 3) back into a displayable image: undoes the
   * normalization of {@code preprocessing}, clamps to [0,1] and rounds to 8 bits. NaN shows as black. Gives a
   * grey image for one channel, RGB for three.
   */
  public static BufferedImage toImage(Tensor tensor, Preprocessing preprocessing) {
    int[] shape = tensor.shape();
    boolean batched = shape.length == 4 && shape[0] == 1;
    if (!(batched || shape.length == 3) || (shape[shape.length - 3] != 1 && shape[shape.length - 3] != 3)) {
      throw new IllegalArgumentException("cannot show a tensor of shape " + Shapes.toString(shape)
          + " as an image; expected [1,C,H,W] or [C,H,W] with 1 or 3 channels");
    }
    int channels = shape[shape.length - 3];
    int height = shape[shape.length - 2];
    int width = shape[shape.length - 1];
    Preprocessing p = preprocessing.withChannels(channels);
    float[] x = tensor.data();
    BufferedImage image = new BufferedImage(width, height,
        channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    WritableRaster raster = image.getRaster();
    int plane = height * width;
    for (int c = 0; c < channels; c++) {
      float mean = p.mean().get(c);
      float std = p.std().get(c);
      for (int y = 0; y < height; y++) {
        for (int xx = 0; xx < width; xx++) {
          float unit = x[c * plane + y * width + xx] * std + mean;
          // Writing samples straight into the raster: no colour conversion between tensor and pixels.
          raster.setSample(xx, y, c, Math.round(Math.min(1f, Math.max(0f, unit)) * 255f));
        }
      }
    }
    return image;
  }

  /** Writes an image as PNG, atomically. */
  public static void writePng(BufferedImage image, Path file) throws IOException {
    AtomicFiles.write(file, out -> {
      if (!ImageIO.write(image, "png", out)) throw new IOException(file + ": no PNG writer for this image type");
    });
  }

  /**
   * Pixel values in [0,1] as C planes. Grey sources are read from the raster itself: going through
   * {@code getRGB} would apply a gamma conversion from Java's linear grey colour space and brighten them.
   */
  private static float[] unitPixels(BufferedImage image, int channels) {
    int height = image.getHeight();
    int width = image.getWidth();
    int plane = height * width;
    float[] out = new float[channels * plane];
    if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      Raster raster = image.getRaster();
      float max = (1 << image.getColorModel().getComponentSize(0)) - 1;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          float v = raster.getSample(x, y, 0) / max;
          for (int c = 0; c < channels; c++) out[c * plane + y * width + x] = v;
        }
      }
      return out;
    }
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      image.getRGB(0, y, width, 1, row, 0, width);
      for (int x = 0; x < width; x++) {
        float r = (row[x] >> 16 & 0xff) / 255f;
        float g = (row[x] >> 8 & 0xff) / 255f;
        float b = (row[x] & 0xff) / 255f;
        int i = y * width + x;
        if (channels == 1) {
          out[i] = 0.299f * r + 0.587f * g + 0.114f * b;
        } else {
          out[i] = r;
          out[plane + i] = g;
          out[2 * plane + i] = b;
        }
      }
    }
    return out;
  }

  private static float[] crop(float[] src, int channels, int height, int width, int top, int left, int cropHeight,
      int cropWidth) {
    float[] out = new float[channels * cropHeight * cropWidth];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < cropHeight; y++) {
        System.arraycopy(src, (c * height + top + y) * width + left, out, (c * cropHeight + y) * cropWidth, cropWidth);
      }
    }
    return out;
  }

  private static String oneLine(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replaceAll("\\s*\\R\\s*", " ");
  }
}
