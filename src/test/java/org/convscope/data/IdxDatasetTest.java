package org.convscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.convscope.tensor.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDatasetTest {
  @TempDir Path dir;

  /** An IDX file as the format describes it: two zero bytes, element type, rank, big-endian dims, data. */
  static byte[] idx(int type, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.put(new byte[] {0, 0, (byte) type, (byte) dims.length});
    for (int d : dims) b.putInt(d);
    return b.put(data).array();
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  /** n images of 2x2 whose pixels are 10 * index + position, labels index % 3. */
  static IdxDataset counting(int n) throws IOException {
    byte[] pixels = new byte[n * 4];
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 4; p++) pixels[i * 4 + p] = (byte) (10 * i + p);
      labels[i] = (byte) (i % 3);
    }
    return IdxDataset.read("counting", new ByteArrayInputStream(idx(8, new int[] {n, 2, 2}, pixels)), "counting labels",
        new ByteArrayInputStream(idx(8, new int[] {n}, labels)), List.of());
  }

  @Test
  void readsPlainAndGzippedFilesWithLabelsBeside() throws IOException {
    byte[] pixels = {0, 51, (byte) 255, 102, 1, 2, 3, 4, 5, 6, 7, 8};
    Path images = dir.resolve("train-images-idx3-ubyte");
    Files.write(images, idx(8, new int[] {2, 2, 3}, pixels));
    Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idx(8, new int[] {2}, new byte[] {4, 1})));
    assertEquals(dir.resolve("train-labels-idx1-ubyte.gz"), IdxDataset.labelsBeside(images).orElseThrow());
    IdxDataset data = IdxDataset.open(images);
    assertEquals(2, data.size());
    assertEquals(1, data.channels());
    assertEquals(2, data.height());
    assertEquals(3, data.width());
    assertEquals(List.of("0", "1", "2", "3", "4"), data.classNames());
    Batch batch = data.batch(new int[] {1, 0});
    assertArrayEquals(new int[] {2, 1, 2, 3}, batch.images().shape());
    float[] expected = {3 / 255f, 4 / 255f, 5 / 255f, 6 / 255f, 7 / 255f, 8 / 255f, 0, 0.2f, 1, 0.4f, 1 / 255f, 2 / 255f};
    assertArrayEquals(expected, batch.images().data(), 1e-7f);
    assertArrayEquals(new int[] {1, 4}, batch.labels());
    assertArrayEquals(new int[] {1, 0}, batch.indices());

    Path gzImages = dir.resolve("x-images.idx3-ubyte.gz");
    Files.write(gzImages, gzip(idx(8, new int[] {2, 2, 3}, pixels)));
    IdxDataset unlabelled = IdxDataset.open(gzImages);
    assertEquals(List.of(), unlabelled.classNames());
    assertEquals(-1, unlabelled.label(0));
    assertArrayEquals(new int[] {-1}, unlabelled.batch(new int[] {0}).labels());
    assertArrayEquals(Arrays.copyOf(expected, 6), Arrays.copyOfRange(unlabelled.batch(new int[] {1}).images().data(), 0, 6), 0f);
  }

  @Test
  void readsFromClasspathResources() throws IOException {
    IdxDataset tiny = IdxDataset.fromResources("/org/convscope/data/tiny-images-idx3-ubyte.gz",
        "/org/convscope/data/tiny-labels-idx1-ubyte", List.of("a", "b", "c"));
    assertEquals(3, tiny.size());
    Batch all = tiny.batch(new int[] {0, 1, 2});
    assertArrayEquals(new int[] {2, 0, 1}, all.labels());
    // The resource holds pixel (i, y, x) = 7 * (10 i + 3 y + x + 1).
    for (int i = 0; i < 3; i++) {
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 3; x++) assertEquals(7 * (10 * i + 3 * y + x + 1) / 255f, all.images().get(i, 0, y, x), 1e-7f);
      }
    }
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> IdxDataset.fromResources("/nothing-images.gz", "/nothing-labels.gz", List.of()));
    assertEquals("/nothing-images.gz: no such resource on the classpath", e.getMessage());
  }

  @Test
  void subsetWriterRoundTrips() throws IOException {
    IdxDataset source = counting(20);
    Path images = dir.resolve("sub-images-idx3-ubyte.gz");
    Path labels = dir.resolve("sub-labels-idx1-ubyte.gz");
    source.writeSubset(7, images, labels);
    byte[] written = Files.readAllBytes(images);
    assertEquals(0x1f, written[0] & 0xff, "gzipped");
    assertEquals(0x8b, written[1] & 0xff, "gzipped");
    IdxDataset back = IdxDataset.open(images);
    assertEquals(7, back.size());
    int[] first = Batches.identity(7);
    assertArrayEquals(source.batch(first).images().data(), back.batch(first).images().data());
    assertArrayEquals(source.batch(first).labels(), back.batch(first).labels());

    Path plainImages = dir.resolve("plain-images");
    Path plainLabels = dir.resolve("plain-labels");
    source.writeSubset(2, plainImages, plainLabels);
    assertArrayEquals(idx(8, new int[] {2, 2, 2}, new byte[] {0, 1, 2, 3, 10, 11, 12, 13}), Files.readAllBytes(plainImages));
    assertArrayEquals(idx(8, new int[] {2}, new byte[] {0, 1}), Files.readAllBytes(plainLabels));
    assertThrows(IllegalArgumentException.class, () -> source.writeSubset(21, plainImages, plainLabels));
  }

  @Test
  void badFilesGiveOneLineErrorsNamingTheFile() throws IOException {
    byte[] good = idx(8, new int[] {3, 2, 2}, new byte[12]);
    assertImagesError("truncated: the header declares 3 x 2 x 2 (12 bytes of data) but only 7 bytes follow",
        Arrays.copyOf(good, good.length - 5));
    assertImagesError("truncated IDX header", Arrays.copyOf(good, 9));
    assertImagesError("truncated (the gzip stream ends early)", Arrays.copyOf(gzip(good), 20));
    assertImagesError("not an IDX file (it does not start with two zero bytes)", "garbage, not pixels".getBytes());
    assertImagesError("not an IDX file", new byte[0]);
    assertImagesError("holds IDX element type 0x0D (float); expected an IDX images file", idx(0x0D, new int[] {1, 1, 1}, new byte[4]));
    assertImagesError("has 1 dimension(s); expected an IDX images file", idx(8, new int[] {3}, new byte[3]));
    assertImagesError("malformed IDX header: dimensions 3 x 0", idx(8, new int[] {3, 0, 2}, new byte[0]));
    byte[] corrupt = gzip(good);
    corrupt[12] ^= 0x55;
    corrupt[13] ^= 0x55;
    Path bad = dir.resolve("corrupt-images.gz");
    Files.write(bad, corrupt);
    String message = assertThrows(FileFormatException.class, () -> IdxDataset.open(bad)).getMessage();
    assertTrue(message.startsWith(bad + ": "), message);

    Path images = dir.resolve("a-images-idx3-ubyte");
    Files.write(images, good);
    Path labels = dir.resolve("a-labels-idx1-ubyte");
    Files.write(labels, idx(8, new int[] {2}, new byte[2]));
    assertEquals(labels + ": holds 2 labels but " + images + " holds 3 images",
        assertThrows(FileFormatException.class, () -> IdxDataset.open(images)).getMessage());
    Files.write(labels, idx(8, new int[] {3}, new byte[] {0, 10, 1}));
    assertEquals(labels + ": label 10 of example 1 is not a class index; expected 0 to 1 (2 classes)",
        assertThrows(FileFormatException.class, () -> IdxDataset.open(images, labels, List.of("yes", "no"))).getMessage());
  }

  private void assertImagesError(String expected, byte[] bytes) throws IOException {
    Path file = dir.resolve("bad-images");
    Files.write(file, bytes);
    FileFormatException e = assertThrows(FileFormatException.class, () -> IdxDataset.open(file));
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
  }
}
