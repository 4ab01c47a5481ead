package org.convscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.stream.IntStream;
import org.convscope.data.Dataset;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.render.PngFiles;
import org.convscope.report.UnitJson;
import org.convscope.report.UnitPictures;
import org.convscope.units.LayerCut;
import org.convscope.units.MaximallyActivatingPatches;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope patches MODEL --data DATA --layer NAME}: the dataset patches that activate each unit most. */
@Command(name = "patches", mixinStandardHelpOptions = true, description = "The dataset patches that activate each unit of a layer most, one row per"
    + " unit, cut through the layer's exact receptive field.")
final class PatchesCommand implements Callable<Integer> {
  /** Channels shown when none are asked for. */
  private static final int DEFAULT_CHANNELS = 16;

  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "DATA", description = "fashion-mnist, a folder of class folders, an IDX file or IMAGES.npy[,LABELS.npy].")
  String data;

  @Option(names = "--layer", required = true, paramLabel = "NAME", description = "A module path, node or tensor name (see inspect).")
  String layer;

  @Option(names = "--channels", paramLabel = "LIST", description = "all, N, N-M or a comma-separated list (default: the first 16).")
  String channels;

  @Option(names = "--top", paramLabel = "K", description = "Patches per unit (default: ${DEFAULT-VALUE}).")
  int top = 9;

  @Option(names = "--all-positions", description = "Allow several patches from one image (by default each image gives a unit at most its best patch).")
  boolean allPositions;

  @Option(names = "--batch", paramLabel = "B", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
  int batch = 64;

  @Option(names = "--tile-size", paramLabel = "PIXELS", description = "Size of each patch in the figure (default: ${DEFAULT-VALUE}).")
  int tileSize = 64;

  @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where to draw the grid.")
  Path out;

  @Option(names = "--json", description = "Print every patch as JSON (value, image, label, position, field box, clipped).")
  boolean json;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    int[] chosen = channels == null ? null : UnitCommands.channels(channels);
    MaximallyActivatingPatches.Options options = new MaximallyActivatingPatches.Options(chosen, top, !allPositions, batch);
    Model m = Model.load(model);
    Preprocessing preprocessing = UnitCommands.preprocessing(m);
    Dataset dataset = UnitCommands.openDataset(data, preprocessing);
    if (channels == null) options = options.withChannels(firstChannels(m, dataset));
    MaximallyActivatingPatches.Result result;
    try (Interruption interruption = new Interruption(); UnitCommands.PassBars bars = new UnitCommands.PassBars()) {
      result = MaximallyActivatingPatches.find(m, preprocessing, dataset, layer, options, bars, interruption::requested);
    } catch (CancellationException e) {
      stdout.println("interrupted: nothing written");
      return UnitCommands.INTERRUPTED;
    }
    String title = String.format("%s: top %d of %,d images", layer, top, result.images());
    PngFiles.write(UnitPictures.patches(result, dataset, tileSize, title), out);
    if (json) {
      stdout.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(result, dataset)));
    } else {
      long clipped = result.units().stream().flatMap(u -> u.patches().stream()).filter(MaximallyActivatingPatches.Patch::clipped).count();
      stdout.printf("%s: %d units, %d patches each from %,d images; receptive field %s; %d patches reach past the border%n",
          layer, result.units().size(), top, result.images(), result.field().describe(), clipped);
      stdout.println("grid drawn to " + out);
    }
    return 0;
  }

  /** The first {@value #DEFAULT_CHANNELS} channels of the layer, or all when it has fewer. */
  private int[] firstChannels(Model m, Dataset dataset) {
    int[] shape = LayerCut.of(m, layer).geometry(new int[] {1, dataset.channels(), dataset.height(), dataset.width()}).shape();
    return IntStream.range(0, shape.length < 2 ? 1 : Math.min(DEFAULT_CHANNELS, shape[1])).toArray();
  }

  private Map<String, Object> toJson(MaximallyActivatingPatches.Result result, Dataset dataset) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", model.toString());
    root.put("data", dataset.name());
    root.putAll(UnitJson.patches(result));
    return root;
  }
}
