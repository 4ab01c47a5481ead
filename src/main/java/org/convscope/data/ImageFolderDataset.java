package org.convscope.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.convscope.input.Images;
import org.convscope.input.Preprocessing;
import org.convscope.tensor.FileFormatException;
import org.convscope.tensor.Tensor;

/**
 * A folder with one subfolder of PNG/JPEG images per class, as torchvision's {@code ImageFolder} reads it:
 * class names are the subfolder names in sorted order, a class's images are the {@code .png}, {@code .jpg}
 * and {@code .jpeg} files anywhere below its subfolder, in sorted order, and names starting with a dot are
 * skipped. Only the file list is kept in memory; images are decoded and preprocessed when a batch asks for them.
 *
 * <p>With a preprocessing that fixes the size (resize or crop) every image fits; with {@link
 * Preprocessing.Keep} all images must have the size of the first.
 */
public final class ImageFolderDataset extends AbstractDataset {
  private final Path root;
  private final Preprocessing preprocessing;
  private final List<Path> files;

  private ImageFolderDataset(Path root, Preprocessing preprocessing, List<String> classNames, List<Path> files,
      int[] labels, int[] size) {
    super(root.toString(), preprocessing.channels(), size[0], size[1], labels, classNames);
    this.root = root;
    this.preprocessing = preprocessing;
    this.files = files;
  }

  /** Lists the images under {@code root}; decodes only the first, and only when its size decides the geometry. */
  public static ImageFolderDataset open(Path root, Preprocessing preprocessing) throws IOException {
    List<Path> classDirs;
    try (Stream<Path> entries = Files.list(root)) {
      classDirs = entries.filter(p -> Files.isDirectory(p) && !hidden(p)).sorted().toList();
    }
    if (classDirs.isEmpty()) {
      throw new FileFormatException(root.toString(), "has no class subfolders; expected one subfolder of PNG/JPEG images per class");
    }
    List<String> classNames = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (Path classDir : classDirs) {
      int label = classNames.size();
      classNames.add(classDir.getFileName().toString());
      try (Stream<Path> walk = Files.walk(classDir)) {
        for (Path file : walk.filter(p -> Files.isRegularFile(p) && isImageName(p) && !hiddenBelow(classDir, p)).sorted().toList()) {
          files.add(file);
          labels.add(label);
        }
      }
    }
    if (files.isEmpty()) {
      throw new FileFormatException(root.toString(), "has no .png, .jpg or .jpeg files in its class subfolders");
    }
    int[] size = preprocessing.fixesSize() ? preprocessing.outputSize(0, 0) : firstImageSize(files.get(0), preprocessing);
    return new ImageFolderDataset(root, preprocessing, classNames, List.copyOf(files),
        labels.stream().mapToInt(Integer::intValue).toArray(), size);
  }

  /** The image file of example {@code index}. */
  public Path file(int index) {
    return files.get(index);
  }

  @Override
  public Batch batch(int[] indices) throws IOException {
    float[] values = allocate(indices);
    for (int b = 0; b < indices.length; b++) {
      Path file = files.get(indices[b]);
      Tensor image = Images.load(file, preprocessing);
      if (image.dim(2) != height() || image.dim(3) != width()) {
        throw new FileFormatException(file.toString(), "is " + image.dim(3) + "x" + image.dim(2) + " but the first image of "
            + root + " is " + width() + "x" + height() + "; use a preprocessing that resizes");
      }
      System.arraycopy(image.data(), 0, values, b * imageSize(), imageSize());
    }
    return assemble(indices, values);
  }

  private static int[] firstImageSize(Path file, Preprocessing preprocessing) throws IOException {
    Tensor first = Images.load(file, preprocessing);
    return new int[] {first.dim(2), first.dim(3)};
  }

  private static boolean isImageName(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
  }

  private static boolean hidden(Path path) {
    return path.getFileName().toString().startsWith(".");
  }

  /** Whether the file, or a folder between the class folder and it, is hidden. */
  private static boolean hiddenBelow(Path classDir, Path file) {
    for (Path part : classDir.relativize(file)) if (part.toString().startsWith(".")) return true;
    return false;
  }
}
