package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.stream.Collectors;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.render.PngFiles;
import org.convscope.report.UnitPictures;
import org.convscope.tensor.Tensor;
import org.convscope.units.DeepDream;
import org.convscope.units.InputSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope dream MODEL --input FILE --layer NAME}: DeepDream on an image. */
@Command(name = "dream", mixinStandardHelpOptions = true, description = "DeepDream: amplify what a layer sees in an image, over octaves.")
final class DreamCommand implements Callable<Integer> {
  /** Outputs are enlarged by a whole factor until their longer side reaches this. */
  private static final int SHOWN_SIZE = 224;

  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "A PNG/JPEG image or a float32 .npy tensor [1,C,H,W].")
  Path input;

  @Option(names = "--layer", required = true, paramLabel = "NAME", description = "A module path, node or tensor name (see inspect).")
  String layer;

  @Option(names = "--octaves", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
  int octaves = 4;

  @Option(names = "--octave-scale", paramLabel = "S", description = "Size ratio between octaves (default: ${DEFAULT-VALUE}).")
  double octaveScale = 1.4;

  @Option(names = "--steps", paramLabel = "N", description = "Steps per octave (default: ${DEFAULT-VALUE}).")
  int steps = 10;

  @Option(names = "--lr", paramLabel = "X", description = "The mean change of an input value per step (default: ${DEFAULT-VALUE}).")
  double lr = 0.02;

  @Option(names = "--jitter", paramLabel = "P", description = "Shift by up to P pixels at random before each step (default: ${DEFAULT-VALUE}).")
  int jitter = 32;

  @Option(names = "--clip", negatable = true, description = "Keep pixels in the valid range (default: on; --no-clip to turn off).")
  boolean clip = true;

  @Option(names = "--seed", paramLabel = "S", description = "For the jitter (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Also plot the objective against the step.")
  Path plot;

  @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where to write the dreamed image.")
  Path out;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    DeepDream.Options options = new DeepDream.Options(octaves, octaveScale, steps, lr, jitter, clip, seed);
    Model m = Model.load(model);
    Preprocessing preprocessing = UnitCommands.preprocessing(m);
    Tensor image = Inputs.load(m, input, null, spec.commandLine().getErr());
    DeepDream.Result result;
    try (Interruption interruption = new Interruption(); UnitCommands.StepBar bar = new UnitCommands.StepBar("dream " + layer)) {
      result = DeepDream.dream(m, preprocessing, layer, image, options, bar, interruption::requested);
    } catch (CancellationException e) {
      stdout.println("interrupted: nothing written");
      return UnitCommands.INTERRUPTED;
    }
    PngFiles.write(UnitPictures.enlarged(UnitPictures.picture(result.image(), new InputSpace(preprocessing)), SHOWN_SIZE), out);
    if (plot != null) PngFiles.write(UnitPictures.objectivePlot(result.objective(), null, "DeepDream " + layer), plot);
    double[] f = result.objective();
    String sizes = result.octaves().stream().map(s -> s[0] + "x" + s[1]).collect(Collectors.joining(", "));
    stdout.printf("%s: mean squared activation %.4g -> %.4g over octaves %s; image written to %s%n", layer, f[0], f[f.length - 1],
        sizes, out);
    return 0;
  }
}
