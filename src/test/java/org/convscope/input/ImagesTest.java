package org.convscope.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.convscope.tensor.FileFormatException;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
  @TempDir Path dir;

  static BufferedImage rgb(int height, int width, java.util.function.IntBinaryOperator colour) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) image.setRGB(x, y, colour.applyAsInt(y, x));
    return image;
  }

  static BufferedImage grey(int height, int width, java.util.function.IntBinaryOperator level) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) image.getRaster().setSample(x, y, 0, level.applyAsInt(y, x));
    return image;
  }

  Path png(String name, BufferedImage image) throws IOException {
    Path file = dir.resolve(name);
    ImageIO.write(image, "png", file.toFile());
    return file;
  }

  @Test
  void pngIsResizedScaledAndNormalizedPerChannel() throws IOException {
    // 4x4 RGB: red varies along x, green along y, blue constant 200.
    int[] levels = {0, 40, 120, 255};
    Path file = png("a.png", rgb(4, 4, (y, x) -> levels[x] << 16 | levels[y] << 8 | 200));
    Preprocessing p = new Preprocessing(new Preprocessing.To(2, 2), 3, List.of(0.5f, 0.25f, 0.1f), List.of(0.2f, 0.5f, 2f));
    Tensor t = Images.load(file, p);
    assertArrayEquals(new int[] {1, 3, 2, 2}, t.shape());
    // Halving with the antialiasing tent: weights 3/7, 3/7, 1/7 (first output) and 1/7, 3/7, 3/7 (second).
    float first = (3 * 0 + 3 * 40 + 1 * 120) / 7f / 255f;
    float second = (1 * 40 + 3 * 120 + 3 * 255) / 7f / 255f;
    float[] expected = {
        (first - 0.5f) / 0.2f, (second - 0.5f) / 0.2f, (first - 0.5f) / 0.2f, (second - 0.5f) / 0.2f,
        (first - 0.25f) / 0.5f, (first - 0.25f) / 0.5f, (second - 0.25f) / 0.5f, (second - 0.25f) / 0.5f,
        (200 / 255f - 0.1f) / 2f, (200 / 255f - 0.1f) / 2f, (200 / 255f - 0.1f) / 2f, (200 / 255f - 0.1f) / 2f};
    assertArrayEquals(expected, t.data(), 1e-5f);
  }

  @Test
  void greyPngsKeepTheirLevelsAndConvertBothWays() throws IOException {
    Path greyFile = png("g.png", grey(1, 2, (y, x) -> x == 0 ? 128 : 50));
    // Exactly 128/255: no gamma conversion from Java's linear grey colour space.
    assertArrayEquals(new float[] {128 / 255f, 50 / 255f}, Images.load(greyFile, Preprocessing.plain(1)).data(), 1e-7f);
    assertArrayEquals(new float[] {128 / 255f, 50 / 255f, 128 / 255f, 50 / 255f, 128 / 255f, 50 / 255f},
        Images.load(greyFile, Preprocessing.plain(3)).data(), 1e-7f);

    Path colour = png("c.png", rgb(1, 1, (y, x) -> 255 << 16 | 100 << 8 | 10));
    float luminance = 0.299f * 1 + 0.587f * 100 / 255f + 0.114f * 10 / 255f;
    assertArrayEquals(new float[] {luminance}, Images.load(colour, Preprocessing.plain(1)).data(), 1e-6f);
  }

  @Test
  void imagenetResizesTheShorterSideThenCropsTheCentre() throws IOException {
    // Already 256 on its shorter side, so the resize is the identity and the crop offsets are visible:
    // top (256-224)/2 = 16, left (341-224)/2 = 58.5, rounded half to even as torchvision does: 58.
    BufferedImage landscape = rgb(256, 341, (y, x) -> (x % 256) << 16 | y << 8 | 9);
    Tensor t = Images.toTensor(landscape, Preprocessing.imagenet());
    assertArrayEquals(new int[] {1, 3, 224, 224}, t.shape());
    assertEquals((58 / 255f - 0.485f) / 0.229f, t.get(0, 0, 0, 0), 1e-5f);
    assertEquals((16 / 255f - 0.456f) / 0.224f, t.get(0, 1, 0, 0), 1e-5f);
    assertEquals(((58 + 223) % 256 / 255f - 0.485f) / 0.229f, t.get(0, 0, 10, 223), 1e-5f);
    assertEquals(((16 + 223) / 255f - 0.456f) / 0.224f, t.get(0, 1, 223, 5), 1e-5f);
    assertEquals((9 / 255f - 0.406f) / 0.225f, t.get(0, 2, 100, 100), 1e-5f);

    BufferedImage portrait = rgb(341, 256, (y, x) -> x << 16 | (y % 256) << 8);
    Tensor p = Images.toTensor(portrait, Preprocessing.imagenet());
    assertEquals((16 / 255f - 0.485f) / 0.229f, p.get(0, 0, 0, 0), 1e-5f);
    assertEquals((58 / 255f - 0.456f) / 0.224f, p.get(0, 1, 0, 0), 1e-5f);
  }

  @Test
  void imagenetShrinksLargeImagesToTheCropSize() throws IOException {
    // A flat 600x800 image: 256x341 after resizing, then cropped; every value is the normalized colour.
    Tensor t = Images.toTensor(rgb(600, 800, (y, x) -> 30 << 16 | 60 << 8 | 90), Preprocessing.imagenet());
    assertArrayEquals(new int[] {1, 3, 224, 224}, t.shape());
    float[] expected = {(30 / 255f - 0.485f) / 0.229f, (60 / 255f - 0.456f) / 0.224f, (90 / 255f - 0.406f) / 0.225f};
    for (int i = 0; i < t.size(); i++) assertEquals(expected[i / (224 * 224)], t.data()[i], 1e-5f);
  }

  @Test
  void jpegDecodesNearItsColour() throws IOException {
    Path file = dir.resolve("flat.jpg");
    ImageIO.write(rgb(16, 16, (y, x) -> 128 << 16 | 64 << 8 | 200), "jpeg", file.toFile());
    Tensor t = Images.load(file, Preprocessing.plain(3));
    for (int i = 0; i < t.size(); i++) {
      float expected = new float[] {128, 64, 200}[i / 256] / 255f;
      assertEquals(expected, t.data()[i], 3 / 255f);
    }
  }

  @Test
  void tensorsTurnBackIntoTheOriginalPixels() throws IOException {
    BufferedImage original = rgb(3, 5, (y, x) -> (x * 50) << 16 | (y * 90) << 8 | (x + y) * 20);
    Tensor t = Images.toTensor(original, Preprocessing.imagenet().withResize(new Preprocessing.Keep()));
    BufferedImage back = Images.toImage(t, Preprocessing.imagenet());
    for (int y = 0; y < 3; y++) for (int x = 0; x < 5; x++) assertEquals(original.getRGB(x, y), back.getRGB(x, y));

    BufferedImage g = grey(2, 2, (y, x) -> 10 + 100 * x + 30 * y);
    BufferedImage gBack = Images.toImage(Images.toTensor(g, Preprocessing.plain(1)).reshape(1, 2, 2), Preprocessing.plain(1));
    assertEquals(BufferedImage.TYPE_BYTE_GRAY, gBack.getType());
    for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++) assertEquals(10 + 100 * x + 30 * y, gBack.getRaster().getSample(x, y, 0));
  }

  @Test
  void outOfRangeValuesAreClampedAndNanIsBlack() {
    Tensor t = Tensor.of(new float[] {-3, 0.5f, 7, Float.NaN}, 1, 1, 2, 2);
    BufferedImage image = Images.toImage(t, Preprocessing.plain(1));
    assertEquals(0, image.getRaster().getSample(0, 0, 0));
    assertEquals(128, image.getRaster().getSample(1, 0, 0));
    assertEquals(255, image.getRaster().getSample(0, 1, 0));
    assertEquals(0, image.getRaster().getSample(1, 1, 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Images.toImage(Tensor.zeros(1, 2, 4, 4), Preprocessing.plain(1)));
    assertTrue(e.getMessage().contains("[1,2,4,4]"), e.getMessage());
  }

  @Test
  void writesPngAtomically() throws IOException {
    Path file = dir.resolve("out.png");
    BufferedImage image = rgb(2, 3, (y, x) -> x * 80 << 16 | y * 200);
    Images.writePng(image, file);
    BufferedImage back = ImageIO.read(file.toFile());
    for (int y = 0; y < 2; y++) for (int x = 0; x < 3; x++) assertEquals(image.getRGB(x, y), back.getRGB(x, y));
  }

  @Test
  void brokenImagesAreNamed() throws IOException {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "hello");
    assertEquals(text + ": not an image file; expected PNG or JPEG",
        assertThrows(FileFormatException.class, () -> Images.read(text)).getMessage());
    byte[] png = Files.readAllBytes(png("whole.png", rgb(20, 20, (y, x) -> x * y)));
    Path truncated = dir.resolve("truncated.png");
    Files.write(truncated, java.util.Arrays.copyOf(png, png.length / 2));
    String message = assertThrows(FileFormatException.class, () -> Images.read(truncated)).getMessage();
    assertTrue(message.startsWith(truncated + ": cannot decode the image ("), message);
    assertTrue(!message.contains("\n"), message);
  }
}
