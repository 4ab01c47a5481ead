package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.render.PngFiles;
import org.convscope.report.UnitPictures;
import org.convscope.units.GradientAscent;
import org.convscope.units.InputSpace;
import org.convscope.units.Objective;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope visualize MODEL --objective ...}: the image that maximizes a class, channel or neuron. */
@Command(name = "visualize", mixinStandardHelpOptions = true, description = "Gradient ascent on the input: the image that maximizes a class score"
    + " (its logit), a channel's mean activation or one neuron, with optional regularizers.")
final class VisualizeCommand implements Callable<Integer> {
  /** Frames in the strip of intermediate images, besides the last. */
  private static final int STRIP_FRAMES = 8;
  /** Outputs are enlarged by a whole factor until their longer side reaches this. */
  private static final int SHOWN_SIZE = 224;

  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--objective", required = true, paramLabel = "WHAT",
      description = "class:K, channel:LAYER:C or neuron:LAYER:C:Y:X.")
  String objective;

  @Option(names = "--init", paramLabel = "blank|random|FILE", description = "Start from grey, grey plus noise, or an image (default: ${DEFAULT-VALUE}).")
  String init = "blank";

  @Option(names = "--steps", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
  int steps = 128;

  @Option(names = "--lr", paramLabel = "X", description = "Step size: the mean change of an input value per step, or with --plain-steps the factor of the gradient (default: ${DEFAULT-VALUE}).")
  double lr = 0.05;

  @Option(names = "--plain-steps", description = "Take plain gradient steps instead of steps of a fixed mean size.")
  boolean plainSteps;

  @Option(names = "--l2", paramLabel = "LAMBDA", description = "Weight of the image's squared norm, subtracted from the objective (default: ${DEFAULT-VALUE}).")
  double l2 = 0;

  @Option(names = "--jitter", paramLabel = "P", description = "Shift the image by up to P pixels at random before each step (default: ${DEFAULT-VALUE}).")
  int jitter = 0;

  @Option(names = "--blur-every", paramLabel = "N", description = "Blur the image every N steps; 0 never (default: ${DEFAULT-VALUE}).")
  int blurEvery = 0;

  @Option(names = "--blur-sigma", paramLabel = "PIXELS", description = "The blur's standard deviation (default: ${DEFAULT-VALUE}).")
  double blurSigma = 1.0;

  @Option(names = "--tv", paramLabel = "W", description = "Weight of the squared total variation (default: ${DEFAULT-VALUE}).")
  double tv = 0;

  @Option(names = "--clip", negatable = true, description = "Keep pixels in the valid range (default: on; --no-clip to turn off).")
  boolean clip = true;

  @Option(names = "--fourier", description = "Steps of the decorrelated Fourier parameterization (Lucid).")
  boolean fourier;

  @Option(names = "--decorrelate", negatable = true, description = "Steps in Lucid's decorrelated colour space, RGB models only"
      + " (default: on with --fourier for RGB models; --no-decorrelate to turn off).")
  Boolean decorrelate;

  @Option(names = "--seed", paramLabel = "S", description = "For the random start and the jitter (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--size", paramLabel = "PIXELS", description = "Image size for models whose input size is free (default: ${DEFAULT-VALUE}).")
  int size = 224;

  @Option(names = "--strip", paramLabel = "FILE.png", description = "Also draw intermediate images, side by side.")
  Path strip;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Also plot the objective against the step.")
  Path plot;

  @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where to write the final image.")
  Path out;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    Objective target = Objective.parse(objective);
    Model m = Model.load(model);
    Preprocessing preprocessing = UnitCommands.preprocessing(m);
    boolean rgb = preprocessing.channels() == 3;
    if (Boolean.TRUE.equals(decorrelate) && !rgb) {
      throw new UserException("--decorrelate needs an RGB model, but " + model + " takes " + preprocessing.channels() + " channel(s)");
    }
    boolean colors = decorrelate != null ? decorrelate : fourier && rgb;
    GradientAscent.Options options = new GradientAscent.Options(steps, lr, l2, jitter, blurEvery, blurSigma, tv, clip, fourier,
        colors, !plainSteps, strip == null ? 0 : Math.max(1, steps / STRIP_FRAMES), seed);
    InputSpace space = new InputSpace(preprocessing);
    GradientAscent.Result result;
    try (Interruption interruption = new Interruption(); UnitCommands.StepBar bar = new UnitCommands.StepBar(target.describe())) {
      result = GradientAscent.run(m, preprocessing, target, start(m), options, bar, interruption::requested);
    } catch (CancellationException e) {
      stdout.println("interrupted: nothing written");
      return UnitCommands.INTERRUPTED;
    }
    String what = target instanceof Objective.ClassScore c ? target.describe() + " (" + m.className(c.index()) + ")" : target.describe();
    PngFiles.write(UnitPictures.enlarged(UnitPictures.picture(result.image(), space), SHOWN_SIZE), out);
    if (strip != null) PngFiles.write(UnitPictures.strip(result.snapshots(), space, 96, what), strip);
    if (plot != null) PngFiles.write(UnitPictures.objectivePlot(result.objective(), result.regularized(), what), plot);
    double[] f = result.objective();
    stdout.printf("%s: objective %.4g -> %.4g in %d steps; image written to %s%n", what, f[0], f[f.length - 1], steps, out);
    return 0;
  }

  private GradientAscent.Start start(Model m) throws Exception {
    int[] dims = m.inputInfo().dims();
    int height = dims != null && dims.length == 4 && dims[2] > 0 ? dims[2] : size;
    int width = dims != null && dims.length == 4 && dims[3] > 0 ? dims[3] : size;
    return switch (init) {
      case "blank" -> new GradientAscent.Blank(height, width);
      case "random" -> new GradientAscent.Noise(height, width, 0.1, seed);
      default -> new GradientAscent.Given(Inputs.load(m, Path.of(init), null, spec.commandLine().getErr()));
    };
  }
}
