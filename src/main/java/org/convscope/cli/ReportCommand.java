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

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    Model m = Model.load(model);
    Dataset dataset = Datasets.open(data);
    if (dataset.size() == 0) throw new UserException(data + " is empty");
    ReportContext context = new ReportContext(m, dataset, out, ReportContext.oneSamplePerClass(dataset, 10));
    Path index = ReportWriter.write(context, Sections.standard(), "ConvScope report: " + model.getFileName(), log);
    log.println("report written: " + index.toAbsolutePath());
    return 0;
  }
}
