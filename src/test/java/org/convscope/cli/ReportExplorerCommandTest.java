package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.convscope.data.Dataset;
import org.convscope.report.Demo;
import org.convscope.tensor.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report --explorer}: the explorer's pages written from a server started and stopped in-process. */
class ReportExplorerCommandTest {
  @TempDir Path dir;

  @Test
  void writesTheExplorersPagesAsFiles() throws Exception {
    Path model = Demo.extractModel(dir.resolve("model"));
    Dataset demo = Demo.data();
    Path images = dir.resolve("images.npy");
    Npy.write(images, demo.batch(IntStream.range(0, 40).toArray()).images());
    Path out = dir.resolve("site");
    CommandsTest.Run r = CommandsTest.run("report", model.toString(), "--data", images.toString(), "--out", out.toString(), "--explorer",
        "--units", "0", "--images", "1", "--cache", dir.resolve("cache").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("explorer site written: " + out.resolve("index.html").toAbsolutePath()), r.out());
    for (String page : new String[] {"index.html", "model.html", "image-0.html", "embedding.html", "layer-stage2.relu1.html"}) {
      assertTrue(Files.isRegularFile(out.resolve(page)), page);
    }
    String layer = Files.readString(out.resolve("layer-stage2.relu1.html"));
    assertTrue(layer.contains("<table id=\"units\">"), "the units ranked over the 40 images");
    assertFalse(layer.contains("href=\"/"), "links are relative");

    CommandsTest.Run bad = CommandsTest.run("report", model.toString(), "--data", images.toString(), "--out", out.toString(), "--explorer",
        "--units", "-1");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--units and --images must not be negative"), bad.err());
  }
}
