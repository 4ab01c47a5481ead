package org.convscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.convscope.tensor.FileFormatException;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyDatasetTest {
  @TempDir Path dir;

  Path images(int... shape) throws IOException {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) t.data()[i] = i * 0.25f - 3;
    Path file = dir.resolve("images.npy");
    Npy.write(file, t);
    return file;
  }

  @Test
  void batchesAreTheStoredExamplesWithTheirLabels() throws IOException {
    Path images = images(5, 2, 3, 4);
    Path labels = dir.resolve("labels.npy");
    Npy.write(labels, Tensor.ofLongs(new long[] {2, 0, -1, 1, 2}, 5));
    Dataset data = Datasets.open(images + "," + labels);
    assertEquals(5, data.size());
    assertEquals(2, data.channels());
    assertEquals(3, data.height());
    assertEquals(4, data.width());
    assertEquals(List.of("0", "1", "2"), data.classNames());
    Batch batch = data.batch(new int[] {3, 1});
    Tensor all = Npy.readFloat(images);
    float[] expected = new float[48];
    System.arraycopy(all.data(), 3 * 24, expected, 0, 24);
    System.arraycopy(all.data(), 24, expected, 24, 24);
    assertArrayEquals(new int[] {2, 2, 3, 4}, batch.images().shape());
    assertArrayEquals(expected, batch.images().data());
    assertArrayEquals(new int[] {1, 0}, batch.labels());
    assertEquals(-1, data.label(2));
  }

  @Test
  void threeDimensionalArraysAreOneChannelAndUnlabelled() throws IOException {
    Dataset data = Datasets.open(images(3, 2, 2).toString());
    assertEquals(1, data.channels());
    assertEquals(List.of(), data.classNames());
    Batch batch = data.batch(new int[] {2});
    assertArrayEquals(new float[] {-1, -0.75f, -0.5f, -0.25f}, batch.images().data());
    assertArrayEquals(new int[] {-1}, batch.labels());
  }

  @Test
  void badArraysAreNamed() throws IOException {
    Path wrongRank = images(4, 5);
    assertEquals(wrongRank + ": has shape [4,5]; expected images [N,C,H,W] (or [N,H,W] for one channel)",
        assertThrows(FileFormatException.class, () -> NpyDataset.open(wrongRank)).getMessage());

    Path ints = dir.resolve("ints.npy");
    Npy.write(ints, Tensor.ofLongs(new long[8], 2, 2, 2));
    assertEquals(ints + ": holds int64 values (<i8); expected float32",
        assertThrows(FileFormatException.class, () -> NpyDataset.open(ints)).getMessage());

    Path full = images(2, 1, 4, 4);
    byte[] bytes = Files.readAllBytes(full);
    Path truncated = dir.resolve("truncated.npy");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 4));
    assertEquals(truncated + ": truncated: the header declares [2,1,4,4] float32 (" + bytes.length
        + " bytes) but the file has " + (bytes.length - 4) + " bytes",
        assertThrows(FileFormatException.class, () -> NpyDataset.open(truncated)).getMessage());

    Path labels = dir.resolve("labels.npy");
    Npy.write(labels, Tensor.ofLongs(new long[] {1, 2, 3}, 3));
    assertEquals(labels + ": has shape [3]; expected [2], one label per image of " + full,
        assertThrows(FileFormatException.class, () -> NpyDataset.open(full, labels)).getMessage());
    Npy.write(labels, Tensor.ofLongs(new long[] {1, -5}, 2));
    assertEquals(labels + ": label -5 of example 1 is not a class index; expected 0 or more, or -1 for none",
        assertThrows(FileFormatException.class, () -> NpyDataset.open(full, labels)).getMessage());
  }
}
