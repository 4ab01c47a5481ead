package org.convscope.data;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.convscope.tensor.FileFormatException;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * Images stored as one float .npy array of shape [N,C,H,W] (or [N,H,W] for one channel), with optional
 * integer labels in a second .npy of shape [N] (-1 for unlabelled examples; classes are named by number).
 * Examples are read from the file by position when a batch asks for them, so the array may be larger than
 * memory.
 */
public final class NpyDataset extends AbstractDataset {
  private final Path file;
  private final Npy.Header header;

  private NpyDataset(Path file, Npy.Header header, int[] labels, List<String> classNames) {
    this(file, header, header.shape(), labels, classNames);
  }

  /** {@code shape} is [N,C,H,W], or [N,H,W] for one channel. */
  private NpyDataset(Path file, Npy.Header header, int[] shape, int[] labels, List<String> classNames) {
    super(file.toString(), shape.length == 4 ? shape[1] : 1, shape[shape.length - 2], shape[shape.length - 1], labels,
        classNames);
    this.file = file;
    this.header = header;
  }

  /** Opens an unlabelled array of images. */
  public static NpyDataset open(Path images) throws IOException {
    Npy.Header header = imagesHeader(images);
    int[] none = new int[header.shape()[0]];
    Arrays.fill(none, -1);
    return new NpyDataset(images, header, none, List.of());
  }

  /** Opens an array of images with their labels. */
  public static NpyDataset open(Path images, Path labels) throws IOException {
    Npy.Header header = imagesHeader(images);
    Tensor labelTensor = Npy.readInt64(labels);
    int count = header.shape()[0];
    if (labelTensor.rank() != 1 || labelTensor.dim(0) != count) {
      throw new FileFormatException(labels.toString(), "has shape " + Shapes.toString(labelTensor.shape())
          + "; expected [" + count + "], one label per image of " + images);
    }
    int[] values = new int[count];
    for (int i = 0; i < count; i++) {
      long v = labelTensor.longs()[i];
      if (v < -1 || v >= Integer.MAX_VALUE) {
        throw new FileFormatException(labels.toString(), "label " + v + " of example " + i
            + " is not a class index; expected 0 or more, or -1 for none");
      }
      values[i] = (int) v;
    }
    return new NpyDataset(images, header, values, Labels.numbered(values));
  }

  private static Npy.Header imagesHeader(Path images) throws IOException {
    Npy.Header header = Npy.readHeader(images).requireFloat(images.toString());
    int[] shape = header.shape();
    if ((shape.length != 3 && shape.length != 4) || Arrays.stream(shape).skip(1).anyMatch(d -> d == 0)) {
      throw new FileFormatException(images.toString(), "has shape " + Shapes.toString(shape)
          + "; expected images [N,C,H,W] (or [N,H,W] for one channel)");
    }
    try {
      Shapes.checkedSize(Arrays.copyOfRange(shape, 1, shape.length));
    } catch (IllegalArgumentException e) {
      throw new FileFormatException(images.toString(), "one image is too large: " + e.getMessage());
    }
    long needed = header.dataOffset() + header.dataBytes();
    if (Files.size(images) < needed) {
      throw new FileFormatException(images.toString(), "truncated: the header declares " + Shapes.toString(shape) + " "
          + header.type() + " (" + needed + " bytes) but the file has " + Files.size(images) + " bytes");
    }
    return header;
  }

  @Override
  public Batch batch(int[] indices) throws IOException {
    float[] values = allocate(indices);
    int imageSize = imageSize();
    try (FileChannel channel = FileChannel.open(file)) {
      for (int b = 0; b < indices.length; b++) {
        Npy.readFloats(channel, header, (long) indices[b] * imageSize, values, b * imageSize, imageSize, file.toString());
      }
    }
    return assemble(indices, values);
  }
}
