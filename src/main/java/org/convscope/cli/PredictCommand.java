package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convscope.model.Model;
import org.convscope.model.Predictions;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope predict MODEL --input FILE}: the top classes with their probabilities. */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Classify an image or .npy tensor and print the top classes.")
final class PredictCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "A PNG/JPEG image or a float32 .npy tensor (NCHW).")
  Path input;

  @Option(names = "--top", paramLabel = "K", description = "How many classes to show (default: ${DEFAULT-VALUE}).")
  int top = 5;

  @Option(names = "--save-logits", paramLabel = "OUT.npy", description = "Also write the raw logits.")
  Path saveLogits;

  @Option(names = "--preprocess", paramLabel = "NAME", description = "imagenet or plain (default: what the model records).")
  String preprocess;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (top < 1) throw new UserException("--top must be at least 1, not " + top);
    Model m = Model.load(model);
    PrintWriter out = spec.commandLine().getOut();
    Tensor x = Inputs.load(m, input, preprocess, spec.commandLine().getErr());
    Tensor logits = m.network().predict(x);
    for (int n = 0; n < logits.dim(0); n++) {
      if (logits.dim(0) > 1) out.println("image " + n + ":");
      for (Predictions.Entry e : Predictions.top(logits, n, top)) {
        out.printf("%6.2f%%  %4d  %s%n", 100 * e.probability(), e.index(), m.className(e.index()));
      }
    }
    if (saveLogits != null) Npy.write(saveLogits, logits);
    return 0;
  }
}
