package org.convscope.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28x28 grey images of clothing in 10 classes, 60,000 for
 * training and 10,000 for testing, as Debian's {@code dataset-fashion-mnist} package installs them.
 */
public final class FashionMnist {
  /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The class names, indexed by label. */
  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private FashionMnist() {}

  /** The two standard splits and their file prefixes. */
  public enum Split {
    TRAIN("train"),
    TEST("t10k");

    private final String filePrefix;

    Split(String filePrefix) {
      this.filePrefix = filePrefix;
    }

    /**
     * A split by its name, {@code train} or {@code test}.
     *
     * @throws IllegalArgumentException naming the two splits
     */
    public static Split named(String name) {
      return switch (name) {
        case "train" -> TRAIN;
        case "test" -> TEST;
        default -> throw new IllegalArgumentException("unknown Fashion-MNIST split '" + name + "'; expected train or test");
      };
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Opens a split from {@link #DEFAULT_DIR}. */
  public static IdxDataset open(Split split) throws IOException {
    return open(DEFAULT_DIR, split);
  }

  /**
   * Opens a split from a folder holding the four {@code .gz} files.
   *
   * @throws NoSuchFileException saying how to install the dataset when a file is missing
   */
  public static IdxDataset open(Path dir, Split split) throws IOException {
    Path images = dir.resolve(split.filePrefix + "-images-idx3-ubyte.gz");
    Path labels = dir.resolve(split.filePrefix + "-labels-idx1-ubyte.gz");
    for (Path file : List.of(images, labels)) {
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(file.toString(), null,
            "Fashion-MNIST is not installed; install it with: apt-get install dataset-fashion-mnist");
      }
    }
    return IdxDataset.open("fashion-mnist:" + split, images, labels, CLASS_NAMES);
  }
}
