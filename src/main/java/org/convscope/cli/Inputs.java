package org.convscope.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.convscope.input.InputLoader;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.tensor.Tensor;

/** Loading a command's input for a model: images through the model's preprocessing, .npy as it is. */
final class Inputs {
  private Inputs() {}

  /**
   * @param preset a preprocessing preset name, or null for what the model records (or a guess from its shape)
   */
  static Preprocessing preprocessing(Model model, String preset) {
    Preprocessing p = preset == null ? ModelPreprocessing.of(model) : Preprocessing.named(preset);
    int[] dims = model.inputInfo().dims();
    if (dims != null && dims.length == 4 && dims[1] > 0 && dims[1] != p.channels()) p = p.withChannels(dims[1]);
    return p;
  }

  /** Loads the input, warning on stderr when it holds NaN or infinite values. */
  static Tensor load(Model model, Path file, String preset, PrintWriter err) throws IOException {
    Tensor x = InputLoader.load(file, preprocessing(model, preset));
    long bad = InputLoader.nonFiniteCount(x);
    if (bad > 0) err.println("convscope: warning: " + file + " holds " + bad + " NaN or infinite values");
    return x;
  }
}
