package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convscope.data.Dataset;
import org.convscope.model.Model;
import org.convscope.report.Demo;
import org.convscope.report.ReportContext;
import org.convscope.report.ReportWriter;
import org.convscope.report.Sections;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convscope demo}: every analysis on the shipped Fashion-MNIST model, as a browsable report. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run every analysis on the shipped Fashion-MNIST model and write an HTML report.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--out", paramLabel = "DIR", description = "Where to write the report (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("convscope-demo");

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    long start = System.nanoTime();
    Model model = Model.load(Demo.extractModel(out));
    Dataset data = Demo.data();
    log.println("ConvScope demo: " + model.source() + " on " + data.size() + " Fashion-MNIST test images");
    ReportContext context = new ReportContext(model, data, out, ReportContext.oneSamplePerClass(data, 10));
    Path index = ReportWriter.write(context, Sections.standard(), "ConvScope demo: a CNN trained on Fashion-MNIST", log);
    log.printf("report written in %.0f s: %s%n", (System.nanoTime() - start) / 1e9, index.toAbsolutePath());
    return 0;
  }
}
