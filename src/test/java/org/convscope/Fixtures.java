package org.convscope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;

/**
 * The PyTorch reference fixtures in {@code ../shared/fixtures} (one folder per network, with manifest.json).
 * Tests that use them are skipped when the folder is absent.
 */
public final class Fixtures {
  private static final List<Path> LOCATIONS = List.of(Path.of("../shared/fixtures"), Path.of("/work/shared/fixtures"));

  private Fixtures() {}

  /** The fixtures folder, or the calling test is skipped. */
  public static Path root() {
    for (Path p : LOCATIONS) if (Files.isDirectory(p)) return p;
    Assumptions.abort("PyTorch fixtures not found in ../shared/fixtures");
    return null;
  }

  /** Every fixture folder's name. */
  public static List<String> names() {
    for (Path p : LOCATIONS) {
      if (!Files.isDirectory(p)) continue;
      try (Stream<Path> dirs = Files.list(p)) {
        return dirs.filter(d -> Files.exists(d.resolve("manifest.json"))).map(d -> d.getFileName().toString()).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return List.of();
  }

  public static Path dir(String name) {
    return root().resolve(name);
  }

  public static JsonNode manifest(String name) {
    try {
      return new ObjectMapper().readTree(dir(name).resolve("manifest.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The manifests' tolerance: max|a-b| <= 1e-3 * max|b| + 1e-5. */
  public static void assertClose(float[] expected, float[] got, String what) {
    assertClose(expected, got, 1e-3, 1e-5, what);
  }

  /** Same shape, and max|a-b| <= relative * max|b|. */
  public static void assertClose(Tensor expected, Tensor got, double relative, String what) {
    if (!Arrays.equals(expected.shape(), got.shape())) {
      throw new AssertionError(what + ": shape " + Arrays.toString(got.shape()) + ", expected " + Arrays.toString(expected.shape()));
    }
    assertClose(expected.data(), got.data(), relative, 0, what);
  }

  /** max|a-b| <= relative * max|b| + absolute. */
  public static void assertClose(float[] expected, float[] got, double relative, double absolute, String what) {
    if (expected.length != got.length) throw new AssertionError(what + ": " + got.length + " values, expected " + expected.length);
    double maxRef = 0;
    double maxDiff = 0;
    int worst = 0;
    for (int i = 0; i < expected.length; i++) {
      maxRef = Math.max(maxRef, Math.abs(expected[i]));
      double d = Math.abs(expected[i] - got[i]);
      if (!(d <= maxDiff)) {
        maxDiff = d;
        worst = i;
      }
    }
    double tolerance = relative * maxRef + absolute;
    if (!(maxDiff <= tolerance)) {
      throw new AssertionError(String.format("%s: max|diff| %.3g at %d (expected %g, got %g) exceeds %.3g",
          what, maxDiff, worst, expected[worst], got[worst], tolerance));
    }
  }

  /**
   * ||a - b|| <= relative * ||b|| (Euclidean norms), for gradients of runs that round differently: where a
   * pre-activation lies within rounding of zero, its ReLU's mask can differ, and so can the gradient around it.
   */
  public static void assertCloseInNorm(float[] expected, float[] got, double relative, String what) {
    if (expected.length != got.length) throw new AssertionError(what + ": " + got.length + " values, expected " + expected.length);
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += ((double) expected[i] - got[i]) * ((double) expected[i] - got[i]);
      norm += (double) expected[i] * expected[i];
    }
    if (!(Math.sqrt(diff) <= relative * Math.sqrt(norm)) || norm == 0) {
      throw new AssertionError(String.format("%s: ||diff|| %.3g against ||expected|| %.3g, more than %.1g of it",
          what, Math.sqrt(diff), Math.sqrt(norm), relative));
    }
  }
}
