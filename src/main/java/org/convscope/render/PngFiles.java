package org.convscope.render;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Writes images as PNG: to files atomically, or to bytes for a web server. */
public final class PngFiles {
  private PngFiles() {}

  /**
   * Writes {@code image} to {@code file} as PNG, creating missing parent directories. The PNG goes to a
   * temporary file in the same directory first and is then renamed over the target, so readers (a browser
   * polling a report) never see half a file. Fails with a message naming the file and what was wrong.
   */
  public static void write(BufferedImage image, Path file) throws IOException {
    Path target = file.toAbsolutePath();
    Path directory = target.getParent();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new IOException("cannot write " + file + ": cannot create directory " + directory + " (" + reason(e) + ")", e);
    }
    Path temporary;
    try {
      temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
    } catch (IOException e) {
      throw new IOException("cannot write " + file + ": directory " + directory + " is not writable (" + reason(e) + ")", e);
    }
    try {
      try (OutputStream out = Files.newOutputStream(temporary)) {
        encode(image, out);
      }
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      Files.deleteIfExists(temporary);
      throw new IOException("cannot write " + file + ": " + reason(e), e);
    }
  }

  /** The PNG encoding of {@code image}. */
  public static byte[] encode(BufferedImage image) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      encode(image, bytes);
    } catch (IOException e) {
      throw new IllegalStateException("PNG encoding in memory failed", e);
    }
    return bytes.toByteArray();
  }

  private static void encode(BufferedImage image, OutputStream out) throws IOException {
    // A memory cache keeps ImageIO from creating cache files in the temp directory.
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      if (!ImageIO.write(image, "png", stream)) throw new IOException("no PNG writer for image type " + image.getType());
    }
  }

  /** What went wrong, in words: file system exceptions carry only paths in their message. */
  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof NoSuchFileException) return "no such file or directory";
    // Only creating directories meets this: a file sits where a directory should be.
    if (e instanceof FileAlreadyExistsException f) return f.getFile() + " exists and is not a directory";
    if (e instanceof FileSystemException fs && fs.getReason() != null) return fs.getReason();
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
