package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convscope.data.Dataset;
import org.convscope.data.Datasets;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.render.ConfusionMatrixPlot;
import org.convscope.render.PngFiles;
import org.convscope.train.ChannelStatistics;
import org.convscope.train.Evaluation;
import org.convscope.train.Trainer;
import org.convscope.input.Preprocessing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope evaluate MODEL --data DATA}: accuracy, per-class accuracy and the confusion matrix. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Accuracy, per-class accuracy and confusion matrix (text, and PNG with --png).")
final class EvaluateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX classifier.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "DATA", description = "A labelled dataset, e.g. fashion-mnist:test.")
  String data;

  @Option(names = "--png", paramLabel = "FILE.png", description = "Also draw the confusion matrix.")
  Path png;

  @Option(names = "--batch", paramLabel = "B", description = "Default: ${DEFAULT-VALUE}.")
  int batch = 256;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Model m = Model.load(model);
    Dataset dataset = Datasets.open(data);
    if (dataset.size() == 0) throw new UserException(data + " is empty");
    int[] dims = m.inputInfo().dims();
    if (dims != null && dims.length == 4 && dims[1] > 0 && dims[1] != dataset.channels()) {
      throw new UserException(data + " has " + dataset.channels() + " channel(s) but " + model + " expects " + dims[1]);
    }
    Preprocessing p = ModelPreprocessing.of(m).withChannels(dataset.channels());
    Evaluation e = Trainer.evaluate(m.network(), dataset, ChannelStatistics.array(p.mean()), ChannelStatistics.array(p.std()), batch);
    if (!m.classNames().isEmpty()) e = new Evaluation(m.classNames(), e.confusion());
    PrintWriter out = spec.commandLine().getOut();
    out.print(e.format());
    if (png != null) {
      PngFiles.write(ConfusionMatrixPlot.render(toInt(e.confusion()), e.classNames(), "confusion matrix: " + model.getFileName()), png);
      out.println("confusion matrix drawn to " + png);
    }
    return 0;
  }

  static int[][] toInt(long[][] counts) {
    int[][] out = new int[counts.length][];
    for (int i = 0; i < counts.length; i++) {
      out[i] = new int[counts[i].length];
      for (int j = 0; j < counts[i].length; j++) out[i][j] = (int) counts[i][j];
    }
    return out;
  }
}
