package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.convscope.data.Dataset;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.render.PngFiles;
import org.convscope.report.UnitPictures;
import org.convscope.units.NetworkDissection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope mask MODEL --data DATA --layer NAME --channel C}: Network Dissection masks of one unit. */
@Command(name = "mask", mixinStandardHelpOptions = true, description = "Where one unit fires: its upsampled activation map thresholded at a quantile"
    + " (Network Dissection), over the images where it peaks highest.")
final class MaskCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "DATA", description = "fashion-mnist, a folder of class folders, an IDX file or IMAGES.npy[,LABELS.npy].")
  String data;

  @Option(names = "--layer", required = true, paramLabel = "NAME", description = "A module path, node or tensor name (see inspect).")
  String layer;

  @Option(names = "--channel", required = true, paramLabel = "C", description = "The unit: a channel of the layer.")
  int channel;

  @Option(names = "--quantile", paramLabel = "Q", description = "The threshold's quantile of the unit's activations (default: ${DEFAULT-VALUE}, the top 0.5%%).")
  double quantile = 0.995;

  @Option(names = "--per-image", description = "Take the quantile within each image rather than over the whole dataset (one pass fewer).")
  boolean perImage;

  @Option(names = "--top", paramLabel = "K", description = "How many images to mask (default: ${DEFAULT-VALUE}).")
  int top = 8;

  @Option(names = "--batch", paramLabel = "B", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
  int batch = 64;

  @Option(names = "--tile-size", paramLabel = "PIXELS", description = "Size of each masked image in the figure (default: ${DEFAULT-VALUE}).")
  int tileSize = 160;

  @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where to draw the masks.")
  Path out;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    NetworkDissection.Options options = new NetworkDissection.Options(quantile,
        perImage ? NetworkDissection.Scope.IMAGE : NetworkDissection.Scope.DATASET, top, batch);
    Model m = Model.load(model);
    Preprocessing preprocessing = UnitCommands.preprocessing(m);
    Dataset dataset = UnitCommands.openDataset(data, preprocessing);
    NetworkDissection.Result result;
    try (Interruption interruption = new Interruption(); UnitCommands.PassBars bars = new UnitCommands.PassBars()) {
      result = NetworkDissection.masks(m, preprocessing, dataset, layer, channel, options, bars, interruption::requested);
    } catch (CancellationException e) {
      stdout.println("interrupted: nothing written");
      return UnitCommands.INTERRUPTED;
    }
    String threshold = perImage
        ? String.format("each image's own %s quantile", quantile)
        : String.format("above %.4g, the %s quantile of %,d activations", result.datasetThreshold(), quantile, result.activations());
    PngFiles.write(UnitPictures.masks(result, tileSize, layer + " #" + channel + ": " + threshold), out);
    stdout.printf("%s channel %d: %s (%d pass(es) over %,d images)%n", layer, channel, threshold, result.passes(), dataset.size());
    for (NetworkDissection.UnitMask mask : result.masks()) {
      stdout.printf("image %d: peak %.4g, threshold %.4g, mask covers %.1f%%%n", mask.image(), mask.peak(), mask.threshold(),
          100 * mask.coverage());
    }
    stdout.println("masks drawn to " + out);
    return 0;
  }
}
