package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convscope.data.Dataset;
import org.convscope.data.Datasets;
import org.convscope.model.Model;
import org.convscope.report.ReportContext;
import org.convscope.report.ReportWriter;
import org.convscope.report.Sections;
import org.convscope.web.Explorer;
import org.convscope.web.ExplorerOptions;
import org.convscope.web.StaticSite;
import org.convscope.web.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope report MODEL --data DATA --out DIR}: the demo's report for your own model and data. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Write a static HTML report of every analysis for a model and dataset.")
final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX classifier.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "DATA", description = "A dataset, e.g. fashion-mnist:test or a folder of class folders.")
  String data;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the report.")
  Path out;

  @Option(names = "--explorer", description = "Write the explorer's pages instead (--data demo: the demo's 2,000 images), as a static site that opens from disk: the model,"
      + " every layer, its most often firing units, the first images with every explanation, the t-SNE map.")
  boolean explorer;

  @Option(names = "--units", paramLabel = "N", description = "With --explorer: units given a page per layer (default: ${DEFAULT-VALUE}).")
  int units = 3;

  @Option(names = "--images", paramLabel = "N", description = "With --explorer: dataset images given a page (default: ${DEFAULT-VALUE}).")
  int images = 4;

  @Option(names = "--cache", paramLabel = "DIR", description = "With --explorer: the explorer's result cache (default: serve's).")
  Path cache;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    if (explorer) return explorerSite(log);
    Model m = Model.load(model);
    Dataset dataset = Datasets.open(data);
    if (dataset.size() == 0) throw new UserException(data + " is empty");
    ReportContext context = new ReportContext(m, dataset, out, ReportContext.oneSamplePerClass(dataset, 10));
    Path index = ReportWriter.write(context, Sections.standard(), "ConvScope report: " + model.getFileName(), log);
    log.println("report written: " + index.toAbsolutePath());
    return 0;
  }

  /** The explorer started in-process on a free loopback port, its pages written as files, then stopped. */
  private int explorerSite(PrintWriter log) throws Exception {
    StaticSite.Options options;
    try {
      options = new StaticSite.Options(units, images);
    } catch (IllegalArgumentException e) {
      throw new UserException("--units and --images must not be negative");
    }
    Model m = Model.load(model);
    Dataset dataset = data.equals("demo") ? org.convscope.report.Demo.data() : UnitCommands.openDataset(data, Workspace.preprocessing(m));
    if (dataset.size() == 0) throw new UserException(data + " is empty");
    Path cacheDir = cache != null ? cache : ServeCommand.defaultCache();
    Workspace ws = new Workspace(model, m, dataset, cacheDir.resolve("uploads"));
    try (Explorer server = Explorer.start(ws, ExplorerOptions.defaults(cacheDir).withPort(0))) {
      Path index = StaticSite.write(server, out, options, line -> {
        log.println(line);
        log.flush();
      });
      log.println("explorer site written: " + index.toAbsolutePath());
    }
    return 0;
  }
}
