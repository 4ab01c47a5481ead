package org.convscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.convscope.input.Preprocessing;
import org.convscope.tensor.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
  @TempDir Path root;

  /** A w x h RGB PNG whose red channel is {@code red[x]}, green {@code green}, blue 0. */
  Path png(String relative, int height, int[] red, int green) throws IOException {
    BufferedImage image = new BufferedImage(red.length, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) for (int x = 0; x < red.length; x++) image.setRGB(x, y, red[x] << 16 | green << 8);
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    ImageIO.write(image, "png", file.toFile());
    return file;
  }

  @Test
  void classesAreSortedSubfoldersAndPixelsArePreprocessed() throws IOException {
    int[] red = {0, 40, 120, 255};
    png("dog/b.png", 4, red, 100);
    png("dog/a.PNG", 4, red, 10);
    png("cat/nested/x.png", 4, red, 20);
    png("cat/.hidden.png", 4, red, 30);
    png(".git/y.png", 4, red, 40);
    Files.writeString(root.resolve("cat/readme.txt"), "not an image");
    Preprocessing p = new Preprocessing(new Preprocessing.To(2, 2), 3, List.of(0.5f, 0.25f, 0f), List.of(0.2f, 0.5f, 1f));
    ImageFolderDataset data = ImageFolderDataset.open(root, p);
    assertEquals(List.of("cat", "dog"), data.classNames());
    assertEquals(3, data.size());
    assertEquals(root.resolve("cat/nested/x.png"), data.file(0));
    assertEquals(root.resolve("dog/a.PNG"), data.file(1));
    assertEquals(root.resolve("dog/b.png"), data.file(2));
    assertEquals(3, data.channels());
    assertEquals(2, data.height());

    Batch batch = data.batch(new int[] {2, 0});
    assertArrayEquals(new int[] {1, 0}, batch.labels());
    // Halving 4 -> 2 with the antialiasing tent: weights 3/7, 3/7, 1/7, then 1/7, 3/7, 3/7.
    float left = (3 * 0 + 3 * 40 + 120) / 7f / 255f;
    float right = (40 + 3 * 120 + 3 * 255) / 7f / 255f;
    assertEquals((left - 0.5f) / 0.2f, batch.images().get(0, 0, 0, 0), 1e-5f);
    assertEquals((right - 0.5f) / 0.2f, batch.images().get(0, 0, 1, 1), 1e-5f);
    assertEquals((100 / 255f - 0.25f) / 0.5f, batch.images().get(0, 1, 0, 1), 1e-5f);
    assertEquals((20 / 255f - 0.25f) / 0.5f, batch.images().get(1, 1, 1, 0), 1e-5f);
    assertEquals(0f, batch.images().get(1, 2, 1, 1), 1e-6f);
  }

  @Test
  void keepingSizesNeedsEqualSizesAndSaysWhichFileDiffers() throws IOException {
    png("a/1.png", 3, new int[] {1, 2}, 0);
    Path odd = png("b/2.png", 2, new int[] {1, 2, 3}, 0);
    ImageFolderDataset data = ImageFolderDataset.open(root, Preprocessing.plain(1));
    assertEquals(3, data.height());
    assertEquals(2, data.width());
    assertEquals(1, data.channels());
    assertEquals(0.299f * 2 / 255f, data.batch(new int[] {0}).images().get(0, 0, 2, 1), 1e-6f);
    FileFormatException e = assertThrows(FileFormatException.class, () -> data.batch(new int[] {1}));
    assertEquals(odd + ": is 3x2 but the first image of " + root + " is 2x3; use a preprocessing that resizes", e.getMessage());
  }

  @Test
  void brokenImagesFailWhenLoadedAndNameTheFile() throws IOException {
    png("a/good.png", 2, new int[] {1, 2}, 0);
    Path broken = root.resolve("a/broken.jpg");
    Files.writeString(broken, "definitely not a jpeg");
    ImageFolderDataset data = ImageFolderDataset.open(root, Preprocessing.plain(3).withResize(new Preprocessing.To(2, 2)));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> data.batches(2).iterator().next());
    assertEquals(broken + ": not an image file; expected PNG or JPEG", e.getCause().getMessage());
  }

  @Test
  void foldersWithoutClassesOrImagesAreRefused() throws IOException {
    Files.writeString(root.resolve("loose.png"), "x");
    assertEquals(root + ": has no class subfolders; expected one subfolder of PNG/JPEG images per class",
        assertThrows(FileFormatException.class, () -> ImageFolderDataset.open(root, Preprocessing.plain(3))).getMessage());
    Files.createDirectories(root.resolve("empty"));
    String message = assertThrows(FileFormatException.class, () -> ImageFolderDataset.open(root, Preprocessing.plain(3))).getMessage();
    assertTrue(message.equals(root + ": has no .png, .jpg or .jpeg files in its class subfolders"), message);
  }
}
