package org.convscope.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convscope.data.Dataset;
import org.convscope.report.Demo;

/**
 * The explorer over the shipped demo model and its 2,000 images, on a free loopback port, with small work
 * sizes so that the tests stay quick; it is also its own HTTP client.
 */
final class ExplorerFixture extends ExplorerClient implements AutoCloseable {
  /** The upload limit of the test server: small, so that going over it is cheap. */
  static final long UPLOAD_LIMIT = 1 << 20;

  final Path dir;
  final Dataset data;

  ExplorerFixture() throws IOException {
    this(o -> o);
  }

  /** @param tweak changes the test options (small work sizes, a free port) before the explorer starts */
  ExplorerFixture(java.util.function.UnaryOperator<ExplorerOptions> tweak) throws IOException {
    this(Files.createTempDirectory("convscope-explorer-test"), Demo.data(), tweak);
  }

  private ExplorerFixture(Path dir, Dataset data, java.util.function.UnaryOperator<ExplorerOptions> tweak)
      throws IOException {
    super(Explorer.start(Demo.extractModel(dir.resolve("model")), data,
        tweak.apply(ExplorerOptions.defaults(dir.resolve("cache")).withPort(0).withUploadLimit(UPLOAD_LIMIT)
            .withWork(4, 2, 16, 300))));
    this.dir = dir;
    this.data = data;
  }

  @Override
  public void close() throws IOException {
    explorer.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
