package org.convscope.input;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convscope.tensor.FileFormatException;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;

/** Loads one network input from a file, whatever its kind. */
public final class InputLoader {
  private InputLoader() {}

  /**
   * Loads {@code file} as a network input, choosing by content, not by name: a .npy file is used as stored
   * (it must hold floats; its shape is not changed), an image goes through {@code preprocessing} and becomes
   * [1,C,H,W].
   *
   * @throws IOException with a one-line message naming the file when it is missing or neither kind
   */
  public static Tensor load(Path file, Preprocessing preprocessing) throws IOException {
    if (Files.isDirectory(file)) {
      throw new FileFormatException(file.toString(), "is a folder; expected an image (PNG, JPEG) or a .npy file");
    }
    if (Npy.isNpy(file)) return Npy.readFloat(file);
    BufferedImage image = Images.decode(file);
    if (image == null) {
      throw new FileFormatException(file.toString(), "neither an image (PNG, JPEG) nor a .npy file");
    }
    return Images.toTensor(image, preprocessing);
  }

  /** How many values are NaN or infinite (0 for int64 tensors), so callers can warn before using an input. */
  public static long nonFiniteCount(Tensor tensor) {
    if (!tensor.isFloat()) return 0;
    long count = 0;
    for (float v : tensor.data()) if (!Float.isFinite(v)) count++;
    return count;
  }
}
