package org.convscope.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.convscope.tensor.AtomicFiles;
import org.convscope.tensor.FileFormatException;

/**
 * Images and labels in the IDX format of MNIST and Fashion-MNIST: an images file of unsigned bytes with
 * dimensions [count, rows, columns] and a labels file of unsigned bytes with dimension [count], each either
 * plain or gzipped (recognized by content).
 *
 * <p>Pixels are kept as the file's bytes (one byte per pixel: 47 MB for the 60,000 Fashion-MNIST training
 * images) and scaled to [0,1] as {@code byte / 255} when a batch is made. Images have one channel.
 */
public final class IdxDataset extends AbstractDataset {
  private static final int UNSIGNED_BYTE = 0x08;

  /** Image after image, row by row, one byte per pixel. */
  private final byte[] pixels;
  private final boolean labelled;

  private IdxDataset(String name, Idx images, int[] labels, boolean labelled, List<String> classNames) {
    super(name, 1, images.dims[1], images.dims[2], labels, classNames);
    this.pixels = images.data;
    this.labelled = labelled;
  }

  private static IdxDataset create(String name, Idx images, Idx labels, List<String> classNames, String labelsSource)
      throws FileFormatException {
    int count = images.dims[0];
    int[] values = new int[count];
    if (labels == null) {
      Arrays.fill(values, -1);
      return new IdxDataset(name, images, values, false, List.of());
    }
    if (labels.dims[0] != count) {
      throw new FileFormatException(labelsSource, "holds " + labels.dims[0] + " labels but " + name + " holds "
          + count + " images");
    }
    for (int i = 0; i < count; i++) values[i] = labels.data[i] & 0xff;
    List<String> names = classNames.isEmpty() ? Labels.numbered(values) : classNames;
    Labels.check(values, names, labelsSource);
    return new IdxDataset(name, images, values, true, names);
  }

  /** Opens an images file, with the labels file beside it ({@link #labelsBeside}) if there is one. */
  public static IdxDataset open(Path images) throws IOException {
    Optional<Path> labels = labelsBeside(images);
    if (labels.isPresent()) return open(images, labels.get(), List.of());
    try (InputStream in = openFile(images)) {
      return create(images.toString(), Idx.read(in, images.toString(), 3), null, List.of(), null);
    }
  }

  /**
   * Opens an images file and its labels file.
   *
   * @param classNames names indexed by label, or empty to name classes by number ("0", "1", ...)
   */
  public static IdxDataset open(Path images, Path labels, List<String> classNames) throws IOException {
    return open(images.toString(), images, labels, classNames);
  }

  /** As {@link #open(Path, Path, List)}, under another name than the images file's. */
  static IdxDataset open(String name, Path images, Path labels, List<String> classNames) throws IOException {
    try (InputStream imageStream = openFile(images); InputStream labelStream = openFile(labels)) {
      Idx imageData = Idx.read(imageStream, images.toString(), 3);
      Idx labelData = Idx.read(labelStream, labels.toString(), 1);
      return create(name, imageData, labelData, classNames, labels.toString());
    }
  }

  /**
   * Reads images and labels from classpath resources, such as a subset shipped inside the jar.
   *
   * @param images absolute resource name, e.g. {@code /org/convscope/data/test-images-idx3-ubyte.gz}
   * @param labels absolute resource name of the labels
   * @param classNames names indexed by label, or empty to name classes by number
   */
  public static IdxDataset fromResources(String images, String labels, List<String> classNames) throws IOException {
    try (InputStream imageStream = resource(images); InputStream labelStream = resource(labels)) {
      return read(images, imageStream, labels, labelStream, classNames);
    }
  }

  /**
   * Reads images and labels from streams, plain or gzipped. The streams are read to their end, not closed.
   *
   * @param imagesSource names the images in messages and is the dataset's name
   */
  public static IdxDataset read(String imagesSource, InputStream images, String labelsSource, InputStream labels,
      List<String> classNames) throws IOException {
    Idx imageData = Idx.read(images, imagesSource, 3);
    Idx labelData = Idx.read(labels, labelsSource, 1);
    return create(imagesSource, imageData, labelData, classNames, labelsSource);
  }

  /**
   * The labels file that goes with an images file by the usual naming: {@code train-images-idx3-ubyte.gz}
   * goes with {@code train-labels-idx1-ubyte.gz} ("images" becomes "labels" and "idx3" becomes "idx1"), with
   * or without {@code .gz}.
   */
  public static Optional<Path> labelsBeside(Path images) {
    String fileName = images.getFileName().toString();
    if (!fileName.contains("images")) return Optional.empty();
    String base = fileName.replace("images", "labels").replace("idx3", "idx1");
    String plain = base.endsWith(".gz") ? base.substring(0, base.length() - 3) : base;
    for (String candidate : List.of(base, plain, plain + ".gz")) {
      Path labels = images.resolveSibling(candidate);
      if (Files.isRegularFile(labels)) return Optional.of(labels);
    }
    return Optional.empty();
  }

  /** Whether a file starts like a plain IDX file or a gzip stream (which may hold one). */
  static boolean looksLikeIdx(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] start = in.readNBytes(3);
      boolean gzip = start.length >= 2 && (start[0] & 0xff) == 0x1f && (start[1] & 0xff) == 0x8b;
      return gzip || (start.length == 3 && start[0] == 0 && start[1] == 0 && start[2] == UNSIGNED_BYTE);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Writes the first {@code n} images and their labels as IDX files, gzipped when a name ends in {@code .gz},
   * each file atomically. Reading them back gives the same images and labels.
   */
  public void writeSubset(int n, Path imagesFile, Path labelsFile) throws IOException {
    if (n < 0 || n > size()) throw new IllegalArgumentException("cannot write " + n + " of " + size() + " images");
    if (!labelled) throw new IllegalStateException(name() + " has no labels to write");
    byte[] labelBytes = new byte[n];
    for (int i = 0; i < n; i++) labelBytes[i] = (byte) label(i);
    writeIdx(imagesFile, new int[] {n, height(), width()}, pixels, n * imageSize());
    writeIdx(labelsFile, new int[] {n}, labelBytes, n);
  }

  @Override
  public Batch batch(int[] indices) {
    float[] values = allocate(indices);
    int imageSize = imageSize();
    for (int b = 0; b < indices.length; b++) {
      int from = indices[b] * imageSize;
      for (int i = 0; i < imageSize; i++) values[b * imageSize + i] = (pixels[from + i] & 0xff) / 255f;
    }
    return assemble(indices, values);
  }

  private static InputStream openFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
    return Files.newInputStream(file);
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = IdxDataset.class.getResourceAsStream(name);
    if (in == null) throw new FileNotFoundException(name + ": no such resource on the classpath");
    return in;
  }

  private static void writeIdx(Path file, int[] dims, byte[] data, int length) throws IOException {
    AtomicFiles.write(file, out -> {
      OutputStream target = file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(out, 1 << 16) : out;
      ByteBuffer header = ByteBuffer.allocate(4 + 4 * dims.length);
      header.put(new byte[] {0, 0, UNSIGNED_BYTE, (byte) dims.length});
      for (int d : dims) header.putInt(d);
      target.write(header.array());
      target.write(data, 0, length);
      if (target instanceof GZIPOutputStream gzip) gzip.finish();
    });
  }

  /** One IDX array of unsigned bytes. */
  private record Idx(int[] dims, byte[] data) {
    private static final String[] TYPE_NAMES = {"", "", "", "", "", "", "", "", "unsigned byte", "signed byte", "",
        "short", "int", "float", "double"};

    static Idx read(InputStream raw, String source, int rank) throws IOException {
      BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
      buffered.mark(2);
      boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
      buffered.reset();
      try {
        InputStream in = gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
        return readPlain(in, source, rank);
      } catch (EOFException e) {
        throw new FileFormatException(source, "truncated (the gzip stream ends early)");
      } catch (ZipException e) {
        throw new FileFormatException(source, "corrupt gzip data (" + e.getMessage() + ")");
      }
    }

    private static Idx readPlain(InputStream in, String source, int rank) throws IOException {
      String kind = rank == 3 ? "an IDX images file ([count, rows, columns] unsigned bytes)"
          : "an IDX labels file ([count] unsigned bytes)";
      byte[] magic = in.readNBytes(4);
      if (magic.length < 4 || magic[0] != 0 || magic[1] != 0) {
        throw new FileFormatException(source, "not an IDX file (it does not start with two zero bytes); expected " + kind);
      }
      int type = magic[2] & 0xff;
      if (type != UNSIGNED_BYTE) {
        String typeName = type < TYPE_NAMES.length && !TYPE_NAMES[type].isEmpty() ? TYPE_NAMES[type] : "unknown";
        throw new FileFormatException(source, String.format("holds IDX element type 0x%02X (%s); expected %s", type, typeName, kind));
      }
      if (magic[3] != rank) {
        throw new FileFormatException(source, "has " + magic[3] + " dimension(s); expected " + kind);
      }
      byte[] dimBytes = in.readNBytes(4 * rank);
      if (dimBytes.length < 4 * rank) throw new FileFormatException(source, "truncated IDX header");
      ByteBuffer dimBuffer = ByteBuffer.wrap(dimBytes);
      int[] dims = new int[rank];
      long total = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = dimBuffer.getInt();
        if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
          throw new FileFormatException(source, "malformed IDX header: dimensions " + describe(dims, i + 1));
        }
        total *= dims[i];
      }
      if (total > Integer.MAX_VALUE - 16) {
        throw new FileFormatException(source, "holds " + total + " values, too many to load");
      }
      byte[] data = in.readNBytes((int) total);
      if (data.length < total) {
        throw new FileFormatException(source, "truncated: the header declares " + describe(dims, rank) + " ("
            + total + " bytes of data) but only " + data.length + " bytes follow");
      }
      return new Idx(dims, data);
    }

    private static String describe(int[] dims, int n) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " x ").append(dims[i]);
      return sb.toString();
    }
  }
}
