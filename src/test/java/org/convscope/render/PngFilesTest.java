package org.convscope.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngFilesTest {
  @TempDir Path dir;

  static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
    assertEquals(expected.getWidth(), actual.getWidth());
    assertEquals(expected.getHeight(), actual.getHeight());
    for (int y = 0; y < expected.getHeight(); y++) {
      for (int x = 0; x < expected.getWidth(); x++) {
        assertEquals(expected.getRGB(x, y), actual.getRGB(x, y), "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void roundTripsThroughAFileInNewDirectories() throws IOException {
    BufferedImage image = HeatmapsTest.gradientImage();
    Path file = dir.resolve("report/figures/overlay.png");
    PngFiles.write(image, file);
    assertSamePixels(image, ImageIO.read(file.toFile()));

    BufferedImage other = FigureTest.filled(3, 2, 0x123456);
    PngFiles.write(other, file);
    assertSamePixels(other, ImageIO.read(file.toFile()));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary files left behind");
    }
  }

  @Test
  void encodesToBytes() throws IOException {
    BufferedImage image = HeatmapsTest.gradientImage();
    byte[] png = PngFiles.encode(image);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
    assertSamePixels(image, ImageIO.read(new ByteArrayInputStream(png)));
  }

  @Test
  void failsClearlyWhenTheDirectoryCannotBeMade() throws IOException {
    Path blocker = Files.writeString(dir.resolve("not-a-directory"), "x");
    Path file = blocker.resolve("out.png");
    IOException e = assertThrows(IOException.class, () -> PngFiles.write(HeatmapsTest.gradientImage(), file));
    assertTrue(e.getMessage().startsWith("cannot write " + file + ": cannot create directory"), e.getMessage());
  }

  @Test
  void failsClearlyWhenTheDirectoryIsReadOnly() throws IOException {
    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeFalse(Files.isWritable(readOnly), "running as root, permissions are not enforced");
      Path file = readOnly.resolve("out.png");
      IOException e = assertThrows(IOException.class, () -> PngFiles.write(HeatmapsTest.gradientImage(), file));
      assertTrue(e.getMessage().contains("is not writable"), e.getMessage());
    } finally {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void failsClearlyWhenADirectoryHasTheTargetsName() throws IOException {
    Path file = dir.resolve("taken.png");
    Files.createDirectory(file);
    Files.writeString(file.resolve("inside"), "x");
    IOException e = assertThrows(IOException.class, () -> PngFiles.write(HeatmapsTest.gradientImage(), file));
    assertTrue(e.getMessage().startsWith("cannot write " + file + ": "), e.getMessage());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "the temporary file is removed after a failure");
    }
  }
}
