package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.convscope.data.Dataset;
import org.convscope.model.Model;
import org.convscope.report.Demo;
import org.convscope.web.Explorer;
import org.convscope.web.ExplorerOptions;
import org.convscope.web.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope serve MODEL}: starts the web explorer and prints its address; opens no browser. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Explore a model in the browser: layers, units, explanations, the t-SNE map.")
final class ServeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file, or demo for the shipped model and its 2,000 images.")
  String model;

  @Option(names = "--data", paramLabel = "DATA", description = "A dataset to browse: fashion-mnist[:train|:test], a folder of class folders, "
      + "an IDX file, IMAGES.npy[,LABELS.npy], or demo.")
  String data;

  @Option(names = "--port", paramLabel = "PORT", description = "Default: ${DEFAULT-VALUE}; 0 picks a free port.")
  int port = 8080;

  @Option(names = "--host", paramLabel = "ADDRESS", description = "The address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
  String host = "127.0.0.1";

  @Option(names = "--cache", paramLabel = "DIR", description = "Where results are kept between runs (default: ~/.cache/convscope/explorer).")
  Path cache;

  @Option(names = "--upload-limit", paramLabel = "MB", description = "The largest image upload, in megabytes (default: ${DEFAULT-VALUE}).")
  int uploadLimit = 10;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path cacheDir = cache != null ? cache : defaultCache();
    ExplorerOptions options;
    if (uploadLimit < 1) throw new UserException("--upload-limit must be at least 1 MB, got " + uploadLimit);
    try {
      options = ExplorerOptions.defaults(cacheDir).withHost(host).withPort(port).withUploadLimit((long) uploadLimit << 20);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
    boolean demo = model.equals("demo");
    Path modelFile = demo ? Demo.extractModel(cacheDir.resolve("demo")) : Path.of(model);
    Model loaded = Model.load(modelFile);
    Dataset dataset = data == null ? (demo ? Demo.data() : null)
        : data.equals("demo") ? Demo.data() : UnitCommands.openDataset(data, Workspace.preprocessing(loaded));
    Workspace ws = new Workspace(modelFile, loaded, dataset, cacheDir.resolve("uploads"));
    Explorer explorer;
    try {
      explorer = Explorer.start(ws, options);
    } catch (RuntimeException e) {
      throw new UserException("cannot listen on " + host + ":" + port + " (" + Errors.message(e) + "); choose another --port or --host");
    }
    if (options.exposed()) {
      spec.commandLine().getErr().println("convscope: warning: listening on " + host + ", so other machines can reach the explorer;"
          + " it has no authentication");
    }
    out.println("ConvScope explorer for " + modelFile + (dataset != null ? " with " + dataset.name() : "") + ": " + explorer.url());
    out.println("results cached in " + explorer.cache().dir() + "; Ctrl-C stops the server");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      explorer.close();
      stopped.countDown();
    }, "convscope-serve-stop"));
    stopped.await();
    return 0;
  }

  /** The user's cache folder: $XDG_CACHE_HOME or ~/.cache, then convscope/explorer. */
  static Path defaultCache() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("convscope").resolve("explorer");
  }
}
