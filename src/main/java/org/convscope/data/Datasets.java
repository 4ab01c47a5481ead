package org.convscope.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.convscope.input.Preprocessing;
import org.convscope.tensor.FileFormatException;
import org.convscope.tensor.Npy;

/** Opens a dataset from the spec a user types. */
public final class Datasets {
  /** What a spec may be, for error messages. */
  static final String EXPECTED = "expected fashion-mnist[:train|:test], a folder of class subfolders of images,"
      + " an IDX images file, or a .npy file of images (optionally IMAGES.npy,LABELS.npy)";

  private Datasets() {}

  /** {@link #open(String, Preprocessing)} with {@link Preprocessing#plain plain} RGB for image folders. */
  public static Dataset open(String spec) throws IOException {
    return open(spec, Preprocessing.plain(3));
  }

  /**
   * Resolves a dataset spec:
   *
   * <ul>
   *   <li>{@code fashion-mnist}, {@code fashion-mnist:train} or {@code fashion-mnist:test}: Debian's
   *       Fashion-MNIST ({@link FashionMnist}). Without a split it is the test split: most passes over a
   *       dataset here (embeddings, activating patches, evaluation) look at held-out data, and it loads six
   *       times faster; training should name {@code :train};
   *   <li>a folder: one subfolder of images per class ({@link ImageFolderDataset}), loaded with
   *       {@code imagePreprocessing};
   *   <li>a .npy file of float images, or {@code IMAGES.npy,LABELS.npy} with labels ({@link NpyDataset});
   *   <li>an IDX images file, plain or gzipped, with its labels file beside it if present ({@link IdxDataset}).
   * </ul>
   *
   * Files are recognized by content, not by name.
   *
   * @throws IllegalArgumentException for an unknown Fashion-MNIST split
   * @throws IOException with a one-line message naming the spec when it is none of these or cannot be read
   */
  public static Dataset open(String spec, Preprocessing imagePreprocessing) throws IOException {
    if (spec.equals("fashion-mnist")) return FashionMnist.open(FashionMnist.Split.TEST);
    if (spec.startsWith("fashion-mnist:")) {
      return FashionMnist.open(FashionMnist.Split.named(spec.substring("fashion-mnist:".length())));
    }
    int comma = spec.indexOf(',');
    if (comma >= 0) {
      Path images = existing(spec.substring(0, comma));
      Path labels = existing(spec.substring(comma + 1));
      for (Path file : new Path[] {images, labels}) {
        if (!Npy.isNpy(file)) throw new FileFormatException(file.toString(), "not a .npy file; IMAGES,LABELS pairs must both be .npy");
      }
      return NpyDataset.open(images, labels);
    }
    Path path = existing(spec);
    if (Files.isDirectory(path)) return ImageFolderDataset.open(path, imagePreprocessing);
    if (Npy.isNpy(path)) return NpyDataset.open(path);
    if (IdxDataset.looksLikeIdx(path)) return IdxDataset.open(path);
    throw new FileFormatException(spec, "not a dataset; " + EXPECTED);
  }

  private static Path existing(String spec) throws NoSuchFileException {
    Path path = Path.of(spec);
    if (!Files.exists(path)) throw new NoSuchFileException(spec, null, "no such file or folder; " + EXPECTED);
    return path;
  }
}
