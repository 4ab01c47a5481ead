package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.convscope.data.Dataset;
import org.convscope.data.Datasets;
import org.convscope.engine.Graph;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.onnx.OnnxExporter;
import org.convscope.onnx.OnnxImporter;
import org.convscope.train.Architecture;
import org.convscope.train.ChannelStatistics;
import org.convscope.train.Evaluation;
import org.convscope.train.TrainOptions;
import org.convscope.train.Trainer;
import org.convscope.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convscope train}: trains a small CNN (or an ONNX model further) and saves it as ONNX after every epoch. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a CNN on a dataset and save it as ONNX (a checkpoint after every epoch).")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "DATA",
      description = "fashion-mnist:train, a folder of class folders, an IDX file, or IMAGES.npy,LABELS.npy.")
  String data;

  @Option(names = "--test", paramLabel = "DATA", description = "Held-out data evaluated after each epoch (default: fashion-mnist:test for fashion-mnist).")
  String test;

  @Option(names = "--arch", paramLabel = "NAME", description = "demo or tiny (default: ${DEFAULT-VALUE}).")
  String arch = "demo";

  @Option(names = "--from", paramLabel = "MODEL.onnx", description = "Train this ONNX model further instead of a new one.")
  Path from;

  @Option(names = "--epochs", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
  int epochs = 10;

  @Option(names = "--batch", paramLabel = "B", description = "Default: ${DEFAULT-VALUE}.")
  int batch = 128;

  @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate, cosine-decayed (default: ${DEFAULT-VALUE}).")
  double lr = 0.003;

  @Option(names = "--optimizer", paramLabel = "NAME", description = "adam or sgd (default: ${DEFAULT-VALUE}).")
  String optimizer = "adam";

  @Option(names = "--weight-decay", paramLabel = "W", description = "Default: ${DEFAULT-VALUE}.")
  double weightDecay = 1e-4;

  @Option(names = "--augment", description = "Random crops and horizontal flips.")
  boolean augment;

  @Option(names = "--seed", paramLabel = "S", description = "Default: ${DEFAULT-VALUE}.")
  long seed = 1;

  @Option(names = "--out", required = true, paramLabel = "MODEL.onnx", description = "Where to write the trained model.")
  Path out;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    Dataset train = Datasets.open(data);
    if (train.size() == 0) throw new UserException(data + " is empty");
    if (train.classNames().isEmpty()) throw new UserException(data + " has no labels to train on");
    String testSpec = test != null ? test : data.startsWith("fashion-mnist") ? "fashion-mnist:test" : null;
    Dataset heldOut = testSpec == null ? null : Datasets.open(testSpec);

    Graph graph;
    Preprocessing preprocessing;
    if (from != null) {
      Model base = Model.load(from);
      graph = OnnxImporter.load(from);
      preprocessing = ModelPreprocessing.of(base);
    } else {
      float[][] stats = ChannelStatistics.meanAndStd(train, 10_000);
      preprocessing = new Preprocessing(new Preprocessing.To(train.height(), train.width()), train.channels(),
          ChannelStatistics.list(stats[0]), ChannelStatistics.list(stats[1]));
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put(Model.CLASS_NAMES, Model.encodeClassNames(train.classNames()));
      metadata.putAll(ModelPreprocessing.toMetadata(preprocessing));
      metadata.put("training", String.format("convscope train --data %s --arch %s --epochs %d --batch %d --lr %s --optimizer %s"
          + " --weight-decay %s --seed %d%s", data, arch, epochs, batch, lr, optimizer, weightDecay, seed, augment ? " --augment" : ""));
      graph = Architecture.named(arch, train.channels(), train.height(), train.width(), train.classNames().size())
          .build(seed, metadata);
    }
    TrainOptions options = new TrainOptions(epochs, batch, lr, optimizer, weightDecay, seed, augment,
        ChannelStatistics.array(preprocessing.mean()), ChannelStatistics.array(preprocessing.std()));
    long parameters = Trainer.parameterCount(graph);
    stdout.printf("training %s (%,d parameters) on %s (%,d images) for %d epochs%n", graph.name(), parameters,
        train.name(), train.size(), epochs);
    stdout.flush();

    try (Interruption interruption = new Interruption()) {
      BarListener listener = new BarListener(epochs, stdout);
      Trainer.Result result = Trainer.fit(graph, train, heldOut, options, listener,
          (g, epoch) -> OnnxExporter.write(g, out), interruption::requested);
      listener.close();
      if (result.interrupted()) {
        stdout.printf("interrupted: %s holds the model after %d complete epoch(s)%n", out, result.epochsCompleted());
        return 130;
      }
      stdout.printf("done in %.0f s; model written to %s%n", result.seconds(), out);
      if (result.heldOut() != null) stdout.print(result.heldOut().format());
    }
    return 0;
  }

  /** One progress bar per epoch, with the running loss and accuracy. */
  private static final class BarListener implements TrainingListener {
    private final int epochs;
    private final PrintWriter out;
    private ProgressBar bar;

    BarListener(int epochs, PrintWriter out) {
      this.epochs = epochs;
      this.out = out;
    }

    @Override
    public void epochStarted(int epoch, int steps) {
      bar = Progress.bar(String.format("epoch %d/%d", epoch + 1, epochs), steps, "steps");
    }

    @Override
    public void stepDone(int epoch, int step, double meanLoss, double accuracy, int examples) {
      bar.stepTo(step + 1);
      bar.setExtraMessage(String.format(" loss %.4f acc %.2f%%", meanLoss, 100 * accuracy));
    }

    @Override
    public void epochDone(int epoch, double meanLoss, double trainAccuracy, Evaluation heldOut) {
      close();
      out.printf("epoch %d: loss %.4f, train accuracy %.2f%%%s%n", epoch + 1, meanLoss, 100 * trainAccuracy,
          heldOut == null ? "" : String.format(", held-out accuracy %.2f%%", 100 * heldOut.accuracy()));
      out.flush();
    }

    void close() {
      if (bar != null) bar.close();
      bar = null;
    }
  }
}
