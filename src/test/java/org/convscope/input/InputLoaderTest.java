package org.convscope.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.convscope.tensor.FileFormatException;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputLoaderTest {
  @TempDir Path dir;

  @Test
  void npyIsUsedAsStoredWhateverItsName() throws IOException {
    Tensor stored = Tensor.of(new float[] {1, -2, 3, 0.5f, 9, 7}, 1, 1, 2, 3);
    Path file = dir.resolve("input.png");
    Npy.write(file, stored);
    Tensor loaded = InputLoader.load(file, Preprocessing.imagenet());
    assertArrayEquals(stored.shape(), loaded.shape());
    assertArrayEquals(stored.data(), loaded.data());
  }

  @Test
  void imagesGoThroughPreprocessingWhateverTheirName() throws IOException {
    Path file = dir.resolve("picture.dat");
    ImageIO.write(ImagesTest.grey(2, 2, (y, x) -> 51 * (x + 2 * y)), "png", file.toFile());
    Tensor t = InputLoader.load(file, Preprocessing.plain(1));
    assertArrayEquals(new int[] {1, 1, 2, 2}, t.shape());
    assertArrayEquals(new float[] {0, 0.2f, 0.4f, 0.6f}, t.data(), 1e-6f);
  }

  @Test
  void otherFilesAreNamedWithWhatWasExpected() throws IOException {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "not a picture");
    assertEquals(text + ": neither an image (PNG, JPEG) nor a .npy file",
        assertThrows(FileFormatException.class, () -> InputLoader.load(text, Preprocessing.imagenet())).getMessage());
    assertEquals(dir + ": is a folder; expected an image (PNG, JPEG) or a .npy file",
        assertThrows(FileFormatException.class, () -> InputLoader.load(dir, Preprocessing.imagenet())).getMessage());
    Path missing = dir.resolve("missing.png");
    assertEquals(missing + ": no such file",
        assertThrows(NoSuchFileException.class, () -> InputLoader.load(missing, Preprocessing.imagenet())).getMessage());
    Path labels = dir.resolve("labels.npy");
    Npy.write(labels, Tensor.ofLongs(new long[] {3}, 1));
    assertEquals(labels + ": holds int64 values (<i8); expected float32",
        assertThrows(FileFormatException.class, () -> InputLoader.load(labels, Preprocessing.imagenet())).getMessage());
  }

  @Test
  void countsNonFiniteValues() {
    Tensor t = Tensor.of(new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.NEGATIVE_INFINITY, Float.MAX_VALUE}, 6);
    assertEquals(3, InputLoader.nonFiniteCount(t));
    assertEquals(0, InputLoader.nonFiniteCount(Tensor.ofLongs(new long[] {1}, 1)));
  }
}
