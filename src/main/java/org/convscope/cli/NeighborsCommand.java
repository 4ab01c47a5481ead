package org.convscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convscope.data.Dataset;
import org.convscope.embed.DatasetInfo;
import org.convscope.embed.FeatureDatabase;
import org.convscope.embed.FeatureExtractor;
import org.convscope.embed.FeatureOptions;
import org.convscope.embed.Item;
import org.convscope.embed.Neighbor;
import org.convscope.embed.PixelNeighbors;
import org.convscope.embed.Space;
import org.convscope.input.InputLoader;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.render.Grid;
import org.convscope.render.GridOptions;
import org.convscope.render.ImageOps;
import org.convscope.render.PngFiles;
import org.convscope.render.Tile;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convscope neighbors --db DIR --query FILE|--query-index I}: the nearest images in feature (and pixel) space. */
@Command(name = "neighbors", description = "The nearest neighbours of an image in feature space, and optionally in pixel space, as a grid.")
final class NeighborsCommand implements Callable<Integer> {
  private static final Color SAME_CLASS = new Color(0x2ca02c);
  private static final Color OTHER_CLASS = new Color(0xd62728);
  private static final Color QUERY = Color.BLACK;
  /** Wide enough for a class name and a distance under each tile. */
  private static final int TILE_SIZE = 112;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "A feature database made by convscope embed.")
  Path db;

  @ArgGroup(exclusive = true, multiplicity = "1")
  QueryChoice query;

  static final class QueryChoice {
    @Option(names = "--query", paramLabel = "FILE", description = "An image or .npy input (run through the model), or a .npy feature vector.")
    Path file;

    @Option(names = "--query-index", paramLabel = "I", description = "Example I of a dataset in the database.")
    Integer index;
  }

  @Option(names = "--query-data", paramLabel = "DATA", description = "The dataset --query-index refers to (default: the space's only one).")
  String queryData;

  @Option(names = "--layer", paramLabel = "NAME", description = "Which feature space, when the database holds several.")
  String layer;

  @Option(names = "--model", paramLabel = "MODEL", description = "The model for image queries (default: the one the space records); also selects the space.")
  Path model;

  @Option(names = "-k", paramLabel = "K", description = "Neighbours to show (default: ${DEFAULT-VALUE}).")
  int k = 8;

  @Option(names = "--exact", description = "Scan every vector instead of searching the HNSW graph.")
  boolean exact;

  @Option(names = "--pixel", description = "Add a row of nearest neighbours in raw pixel space (brute force over the dataset).")
  boolean pixel;

  @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where to draw the grid.")
  Path out;

  @Option(names = "--json", description = "Print the neighbours as JSON.")
  boolean json;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** A query in feature space, with its pixels when it is an image. */
  private record Query(float[] vector, Tensor pixels, Item item, String description) {}

  @Override
  public Integer call() throws Exception {
    if (k < 1) throw new UserException("-k must be at least 1, not " + k);
    if (model != null && !Files.isRegularFile(model)) throw new java.nio.file.NoSuchFileException(model.toString());
    try (FeatureDatabase database = FeatureDatabase.open(db)) {
      Space space = FeatureSpaces.select(database, layer, model);
      FeatureSpaces.Images images = new FeatureSpaces.Images(database);
      DatasetInfo dataset = queryDataset(database, space);
      Query q = query.index != null ? indexQuery(database, space, images, dataset) : fileQuery(space, dataset);
      if (pixel && q.pixels() == null) throw new UserException("--pixel needs an image query, not a feature vector");

      // A dataset example finds itself first; ask for one more and drop it.
      int ask = q.item() != null ? k + 1 : k;
      FeatureDatabase.SearchOptions options = new FeatureDatabase.SearchOptions(ask, FeatureDatabase.DEFAULT_CANDIDATES, exact);
      List<Neighbor> features = withoutQuery(database.search(space, q.vector(), options), q.item());
      List<Neighbor> pixels = null;
      if (pixel) {
        Dataset data = images.dataset(dataset.spec());
        int self = q.item() != null ? q.item().index() : -1;
        pixels = PixelNeighbors.search(data, dataset.spec(), q.pixels().data(), k, space.metric(), self, () -> false);
      }
      PngFiles.write(draw(space, q, features, pixels, images), out);
      PrintWriter stdout = spec.commandLine().getOut();
      if (json) {
        stdout.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(space, q, features, pixels, images)));
      } else {
        stdout.printf("nearest to %s in %s (%s distance%s):%n", q.description(), space.describe(), space.metric(), exact ? ", exact" : "");
        print(stdout, features, images);
        if (pixels != null) {
          stdout.println("nearest in pixel space:");
          print(stdout, pixels, images);
        }
        stdout.println("grid drawn to " + out);
      }
    }
    return 0;
  }

  private DatasetInfo queryDataset(FeatureDatabase database, Space space) throws IOException {
    List<DatasetInfo> datasets = database.datasets(space);
    if (queryData != null) {
      String wanted = FeatureSpaces.absoluteSpec(queryData);
      return datasets.stream().filter(d -> d.spec().equals(wanted)).findFirst().orElseThrow(
          () -> new UserException(db + " holds no features of " + queryData + " in " + space.describe()));
    }
    if (datasets.size() == 1) return datasets.get(0);
    if (query.index != null || pixel) {
      throw new UserException(db + " holds features of several datasets; say which with --query-data: "
          + String.join(", ", datasets.stream().map(DatasetInfo::spec).toList()));
    }
    return datasets.get(0);
  }

  private Query indexQuery(FeatureDatabase database, Space space, FeatureSpaces.Images images, DatasetInfo dataset) throws IOException {
    int index = query.index;
    FeatureDatabase.Entry entry = database.find(space, dataset.spec(), index).orElseThrow(() -> new UserException(
        "example " + index + " of " + dataset.spec() + " is not in " + db + " (it holds " + dataset.size() + " examples: 0 to "
            + (dataset.size() - 1) + ")"));
    Tensor pixels = pixel ? images.dataset(dataset.spec()).batch(new int[] {index}).images() : null;
    return new Query(entry.vector(), pixels, entry.item(), dataset.spec() + " #" + index);
  }

  private Query fileQuery(Space space, DatasetInfo dataset) throws IOException {
    Path file = query.file;
    if (Npy.isNpy(file)) {
      Tensor t = Npy.readFloat(file);
      boolean vector = t.rank() == 1 || (t.rank() == 2 && t.dim(0) == 1);
      if (vector) return new Query(t.data(), null, null, file.toString());
    }
    Path modelFile = model != null ? model : Path.of(space.modelPath());
    if (!Files.isRegularFile(modelFile)) {
      throw new UserException("the model of this space, " + space.modelPath() + ", is gone; pass it with --model to query by image");
    }
    if (model == null && !Space.hashFile(modelFile).equals(space.modelHash())) {
      throw new UserException(modelFile + " has changed since it was embedded; pass the original with --model");
    }
    Model m = Model.load(modelFile);
    FeatureExtractor extractor = new FeatureExtractor(m, new FeatureOptions(space.tensor(), space.pooling(), 1));
    Tensor input = Inputs.load(m, file, null, spec.commandLine().getErr());
    if (input.rank() != 4 || input.dim(0) != 1) throw new UserException(file + " holds " + input + "; a query is one image [1,C,H,W]");
    float[] vector = extractor.features(input).vectors()[0];
    Tensor pixels = null;
    if (pixel) {
      Preprocessing plain = new Preprocessing(new Preprocessing.To(dataset.height(), dataset.width()), dataset.channels(),
          java.util.Collections.nCopies(dataset.channels(), 0f), java.util.Collections.nCopies(dataset.channels(), 1f));
      pixels = Npy.isNpy(file) ? unnormalize(input, ModelPreprocessing.of(m)) : InputLoader.load(file, plain);
    }
    return new Query(vector, pixels, null, file.toString());
  }

  /** A .npy input is already normalized for the model; pixel space wants [0, 1]. */
  private static Tensor unnormalize(Tensor input, Preprocessing p) {
    Preprocessing q = p.withChannels(input.dim(1));
    int plane = input.dim(2) * input.dim(3);
    float[] v = input.data().clone();
    for (int i = 0; i < v.length; i++) {
      int c = (i / plane) % input.dim(1);
      v[i] = v[i] * q.std().get(c) + q.mean().get(c);
    }
    return Tensor.of(v, input.shape());
  }

  private List<Neighbor> withoutQuery(List<Neighbor> found, Item self) {
    List<Neighbor> out = new ArrayList<>();
    for (Neighbor n : found) {
      boolean isSelf = self != null && n.item().dataset().equals(self.dataset()) && n.item().index() == self.index();
      if (!isSelf && out.size() < k) out.add(n);
    }
    return out;
  }

  private BufferedImage draw(Space space, Query q, List<Neighbor> features, List<Neighbor> pixels, FeatureSpaces.Images images) throws IOException {
    int queryLabel = q.item() != null ? q.item().label() : -1;
    String caption = queryLabel >= 0 ? "query: " + images.className(q.item().dataset(), queryLabel) : "query";
    Tile queryTile = null;
    if (q.pixels() != null) queryTile = new Tile(ImageOps.fromTensor(q.pixels()), caption, QUERY);
    else if (q.item() != null) queryTile = new Tile(images.image(q.item()), caption, QUERY);
    List<String> labels = new ArrayList<>();
    List<List<Tile>> rows = new ArrayList<>();
    labels.add("features");
    rows.add(row(queryTile, features, queryLabel, images));
    if (pixels != null) {
      labels.add("pixels");
      rows.add(row(queryTile, pixels, queryLabel, images));
    }
    String title = "nearest neighbours, " + space.metric() + " distance: " + space.layer() + " of " + space.modelName();
    return Grid.rows(labels, rows, GridOptions.defaults().withTileSize(TILE_SIZE).withGap(4).withTitle(title));
  }

  private static List<Tile> row(Tile query, List<Neighbor> neighbors, int queryLabel, FeatureSpaces.Images images) throws IOException {
    List<Tile> row = new ArrayList<>();
    if (query != null) row.add(query);
    for (Neighbor n : neighbors) {
      Item item = n.item();
      String label = images.className(item.dataset(), item.label()) + String.format(java.util.Locale.ROOT, " %.4f", n.distance());
      Color border = queryLabel < 0 || item.label() < 0 ? null : item.label() == queryLabel ? SAME_CLASS : OTHER_CLASS;
      row.add(new Tile(images.image(item), label, border));
    }
    return row;
  }

  private static void print(PrintWriter out, List<Neighbor> neighbors, FeatureSpaces.Images images) throws IOException {
    int rank = 1;
    for (Neighbor n : neighbors) {
      Item item = n.item();
      out.printf("%3d. %-14s %s #%d  distance %.4f%n", rank++, images.className(item.dataset(), item.label()), item.dataset(),
          item.index(), n.distance());
    }
  }

  private Map<String, Object> toJson(Space space, Query q, List<Neighbor> features, List<Neighbor> pixels,
      FeatureSpaces.Images images) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("db", db.toString());
    root.put("space", space);
    root.put("metric", space.metric().toString());
    root.put("exact", exact);
    Map<String, Object> queryJson = new LinkedHashMap<>();
    if (q.item() != null) queryJson.putAll(itemJson(q.item(), images));
    else queryJson.put("file", query.file.toString());
    root.put("query", queryJson);
    root.put("neighbors", neighborsJson(features, images));
    if (pixels != null) root.put("pixel_neighbors", neighborsJson(pixels, images));
    root.put("png", out.toString());
    return root;
  }

  private static List<Map<String, Object>> neighborsJson(List<Neighbor> neighbors, FeatureSpaces.Images images) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Neighbor n : neighbors) {
      Map<String, Object> row = itemJson(n.item(), images);
      row.put("distance", n.distance());
      out.add(row);
    }
    return out;
  }

  private static Map<String, Object> itemJson(Item item, FeatureSpaces.Images images) throws IOException {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("dataset", item.dataset());
    row.put("index", item.index());
    if (item.path() != null) row.put("path", item.path());
    row.put("label", item.label());
    row.put("label_name", images.className(item.dataset(), item.label()));
    if (item.predicted() >= 0) {
      row.put("predicted", item.predicted());
      row.put("predicted_name", images.className(item.dataset(), item.predicted()));
    }
    return row;
  }
}
