package org.convscope.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.convscope.data.Dataset;
import org.convscope.data.FashionMnist;
import org.convscope.data.IdxDataset;
import org.convscope.tensor.AtomicFiles;

/**
 * The demo that ships with ConvScope: a CNN trained on Fashion-MNIST by ConvScope itself, and the first 2,000
 * images of Fashion-MNIST's test set, both as resources, so the demo needs nothing installed.
 */
public final class Demo {
  static final String RESOURCES = "/org/convscope/demo/";
  public static final String MODEL = "fashion-cnn.onnx";

  private Demo() {}

  /** The shipped 2,000 test images with their labels. */
  public static Dataset data() throws IOException {
    return IdxDataset.fromResources(RESOURCES + "fashion-mnist-t10k-2000-images-idx3-ubyte.gz",
        RESOURCES + "fashion-mnist-t10k-2000-labels-idx1-ubyte.gz", FashionMnist.CLASS_NAMES);
  }

  /** Copies the shipped model into {@code dir} and returns its path, so the report can link the file it shows. */
  public static Path extractModel(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(MODEL);
    try (InputStream in = Demo.class.getResourceAsStream(RESOURCES + MODEL)) {
      if (in == null) throw new IOException("the demo model is missing from the jar (" + RESOURCES + MODEL + ")");
      byte[] bytes = in.readAllBytes();
      AtomicFiles.write(file, out -> out.write(bytes));
    }
    return file;
  }
}
