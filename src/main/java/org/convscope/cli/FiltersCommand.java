package org.convscope.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.convscope.inspect.Filters;
import org.convscope.model.Model;
import org.convscope.render.LayerImages;
import org.convscope.render.PngFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope filters MODEL}: a conv layer's filters as a grid of images. */
@Command(name = "filters", mixinStandardHelpOptions = true, description = "Draw a conv layer's filters (default: the first layer's, in colour for RGB models).")
final class FiltersCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--layer", paramLabel = "NAME", description = "A conv layer (default: the first).")
  String layer;

  @Option(names = "--filters", paramLabel = "RANGE", description = "Which filters of a deeper layer, e.g. 0-7 (default: ${DEFAULT-VALUE}).")
  String range = "0-7";

  @Option(names = "--out", paramLabel = "FILE.png", description = "Default: ${DEFAULT-VALUE}.")
  Path out = Path.of("filters.png");

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Model m = Model.load(model);
    Filters.ConvWeights conv = layer == null ? Filters.firstLayer(m) : Filters.layer(m, layer);
    String name = conv.module() != null ? conv.module() : conv.node().name();
    int inputs = conv.weights().dim(1);
    BufferedImage image;
    if (inputs == 1 || inputs == 3) {
      image = LayerImages.asImages(conv.weights(), name);
    } else {
      List<Integer> chosen = new ArrayList<>();
      for (int i : Ranges.parse(range, conv.weights().dim(0), "--filters")) chosen.add(i);
      image = LayerImages.perInputChannel(conv.weights(), chosen, name);
    }
    PngFiles.write(image, out);
    spec.commandLine().getOut().printf("%s: %d filters %s written to %s%n", name, conv.weights().dim(0),
        java.util.Arrays.toString(conv.weights().shape()), out);
    return 0;
  }
}
