package org.convscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the files Debian's dataset-fashion-mnist installs. */
class FashionMnistTest {
  @TempDir Path dir;

  static byte[] gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return in.readAllBytes();
    }
  }

  @Test
  void testSplitMatchesTheRawFiles() throws IOException {
    Dataset test = Datasets.open("fashion-mnist");
    assertEquals("fashion-mnist:test", test.name());
    assertEquals(10_000, test.size());
    assertEquals(1, test.channels());
    assertEquals(28, test.height());
    assertEquals(28, test.width());
    assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
        "Ankle boot"), test.classNames());
    Batch first = test.batch(new int[] {0, 1, 2, 3, 4});
    assertArrayEquals(new int[] {9, 2, 1, 1, 6}, first.labels());

    // Pixels straight from the raw bytes: a 16-byte header, then 784 bytes per image, scaled by 1/255.
    byte[] raw = gunzip(FashionMnist.DEFAULT_DIR.resolve("t10k-images-idx3-ubyte.gz"));
    int[][] positions = {{0, 14, 14}, {0, 27, 27}, {3, 10, 5}, {9999, 20, 13}, {4242, 0, 27}};
    Batch picked = test.batch(new int[] {0, 0, 3, 9999, 4242});
    for (int k = 0; k < positions.length; k++) {
      int[] p = positions[k];
      float expected = (raw[16 + p[0] * 784 + p[1] * 28 + p[2]] & 0xff) / 255f;
      assertEquals(expected, picked.images().get(k, 0, p[1], p[2]), 0f, "image " + p[0]);
    }
    float max = 0;
    for (float v : test.batch(Batches.identity(100)).images().data()) max = Math.max(max, v);
    assertEquals(1f, max, "pixels scaled to [0,1]");
  }

  @Test
  void trainSplitMatchesTheRawFiles() throws IOException {
    Dataset train = Datasets.open("fashion-mnist:train");
    assertEquals("fashion-mnist:train", train.name());
    assertEquals(60_000, train.size());
    byte[] labels = gunzip(FashionMnist.DEFAULT_DIR.resolve("train-labels-idx1-ubyte.gz"));
    byte[] images = gunzip(FashionMnist.DEFAULT_DIR.resolve("train-images-idx3-ubyte.gz"));
    for (int i : new int[] {0, 1, 31_337, 59_999}) {
      assertEquals(labels[8 + i], train.label(i));
      Batch b = train.batch(new int[] {i});
      for (int pixel : new int[] {0, 300, 406, 783}) {
        assertEquals((images[16 + i * 784 + pixel] & 0xff) / 255f, b.images().data()[pixel], 0f);
      }
    }
  }

  @Test
  void unknownSplitAndMissingInstallSayWhatToDo() {
    assertEquals("unknown Fashion-MNIST split 'val'; expected train or test",
        assertThrows(IllegalArgumentException.class, () -> Datasets.open("fashion-mnist:val")).getMessage());
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.open(dir, FashionMnist.Split.TRAIN));
    assertEquals(dir.resolve("train-images-idx3-ubyte.gz")
        + ": Fashion-MNIST is not installed; install it with: apt-get install dataset-fashion-mnist", e.getMessage());
  }
}
