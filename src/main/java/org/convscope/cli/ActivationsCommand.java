package org.convscope.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.convscope.inspect.Activations;
import org.convscope.model.Model;
import org.convscope.render.LayerImages;
import org.convscope.render.PngFiles;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope activations MODEL --input FILE --layer NAME --out FILE.png}: every channel's map as a grid. */
@Command(name = "activations", mixinStandardHelpOptions = true, description = "Draw every channel's activation map at a layer for one input.")
final class ActivationsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "A PNG/JPEG image or a float32 .npy tensor.")
  Path input;

  @Option(names = "--layer", required = true, paramLabel = "NAME", description = "A layer with [N,C,H,W] output.")
  String layer;

  @Option(names = "--top", paramLabel = "N", description = "Only the N channels with the highest mean activation, strongest first.")
  int top;

  @Option(names = "--scale", paramLabel = "shared|channel", description = "One colour scale for all maps, or one per map (default: ${DEFAULT-VALUE}).")
  String scale = "channel";

  @Option(names = "--out", required = true, paramLabel = "FILE.png")
  Path out;

  @Option(names = "--save", paramLabel = "OUT.npy", description = "Also write the maps shown, [channels,h,w].")
  Path save;

  @Option(names = "--preprocess", paramLabel = "NAME", description = "imagenet or plain (default: what the model records).")
  String preprocess;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (top < 0) throw new UserException("--top must not be negative");
    if (!scale.equals("shared") && !scale.equals("channel")) throw new UserException("--scale must be shared or channel, not " + scale);
    Model m = Model.load(model);
    Tensor x = Inputs.load(m, input, preprocess, spec.commandLine().getErr());
    Activations.Result r = Activations.of(m, x, layer, top);
    PngFiles.write(LayerImages.activationGrid(r.maps(), r.channels(), r.layer(), scale.equals("shared")), out);
    if (save != null) Npy.write(save, r.maps());
    spec.commandLine().getOut().printf("%s (%s): %d maps of %dx%d written to %s%n", layer, r.tensor(), r.channels().length,
        r.maps().dim(1), r.maps().dim(2), out);
    return 0;
  }
}
