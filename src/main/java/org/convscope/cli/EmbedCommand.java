package org.convscope.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import me.tongfei.progressbar.ProgressBar;
import org.convscope.data.Dataset;
import org.convscope.data.Datasets;
import org.convscope.data.ImageFolderDataset;
import org.convscope.embed.DatasetInfo;
import org.convscope.embed.FeatureDatabase;
import org.convscope.embed.FeatureExtractor;
import org.convscope.embed.FeatureOptions;
import org.convscope.embed.GraphOptions;
import org.convscope.embed.Item;
import org.convscope.embed.Metric;
import org.convscope.embed.Pooling;
import org.convscope.embed.Space;
import org.convscope.model.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convscope embed MODEL --data DATA --db DIR}: a layer's features of every image, into a feature database. */
@Command(name = "embed", description = "Extract a layer's features of a dataset into a feature database (Lucene, HNSW).")
final class EmbedCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX classifier.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "DATA", description = "fashion-mnist[:train|:test], a folder of class folders, an IDX file, or IMAGES.npy[,LABELS.npy].")
  String data;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "The feature database, created if missing.")
  Path db;

  @Option(names = "--layer", paramLabel = "NAME", description = "Module path, node or tensor name (default: the input of the final linear layer).")
  String layer;

  @Option(names = "--pool", paramLabel = "avg|max|flat", description = "How spatial maps become vectors (default: ${DEFAULT-VALUE}).")
  String pool = "avg";

  @Option(names = "--metric", paramLabel = "cosine|euclidean", description = "The distance the space is searched by (default: ${DEFAULT-VALUE}).")
  String metric = "cosine";

  @Option(names = "--batch", paramLabel = "B", description = "Default: ${DEFAULT-VALUE}.")
  int batch = 128;

  @Option(names = "--commit-every", paramLabel = "N", description = "Vectors between commits: what an interruption can lose (default: ${DEFAULT-VALUE}).")
  int commitEvery = FeatureDatabase.DEFAULT_COMMIT_EVERY;

  @Option(names = "--hnsw-m", paramLabel = "M", description = "HNSW links per node: more buys recall for indexing time and memory (default: as recorded for the space, else 16).")
  Integer hnswM;

  @Option(names = "--hnsw-beam", paramLabel = "N", description = "HNSW candidates while linking a node (default: as recorded for the space, else 100).")
  Integer hnswBeam;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    FeatureOptions options = new FeatureOptions(layer, Pooling.named(pool), batch);
    Metric distance = Metric.named(metric);
    Model m = Model.load(model);
    FeatureExtractor extractor = new FeatureExtractor(m, options);
    String dataSpec = FeatureSpaces.absoluteSpec(data);
    Dataset dataset = Datasets.open(dataSpec, extractor.datasetPreprocessing());
    if (dataset.size() == 0) throw new UserException(data + " is empty");
    int dimension = extractor.dimension(dataset);

    Space space = Space.of(Space.hashFile(model), model.getFileName().toString(), model.toAbsolutePath().normalize().toString(),
        extractor.layer(), extractor.tensor(), options.pooling(), distance, dimension);
    DatasetInfo info = new DatasetInfo(dataSpec, dataset.size(), dataset.channels(), dataset.height(), dataset.width(),
        dataset.classNames());
    try (FeatureDatabase database = FeatureDatabase.openOrCreate(db)) {
      BitSet done = database.indexed(space, dataSpec);
      int[] order = remaining(dataset.size(), done);
      if (!done.isEmpty()) {
        out.printf("%,d of %,d images are already in %s; embedding the other %,d%n", done.cardinality(), dataset.size(), db, order.length);
        out.flush();
      }
      long added;
      boolean interrupted = false;
      GraphOptions recorded = database.graphOptions(space);
      GraphOptions graph = new GraphOptions(hnswM != null ? hnswM : recorded.maxConnections(),
          hnswBeam != null ? hnswBeam : recorded.beamWidth());
      try (Interruption interruption = new Interruption();
          FeatureDatabase.Indexer indexer = database.indexer(space, info, commitEvery, graph);
          ProgressBar bar = Progress.bar("embed", order.length, "images")) {
        try {
          extractor.extract(dataset, order, (b, features) -> {
            for (int i = 0; i < b.size(); i++) {
              int index = b.indices()[i];
              String path = dataset instanceof ImageFolderDataset folder ? folder.file(index).toString() : null;
              indexer.add(features.vectors()[i], new Item(dataSpec, index, path, b.labels()[i], features.predicted()[i]));
            }
            bar.stepBy(b.size());
          }, interruption::requested);
        } catch (CancellationException e) {
          interrupted = true;
        }
        added = indexer.added();
      }
      if (interrupted) {
        out.printf("interrupted: %,d vectors committed to %s; run the same command to embed the rest%n", added, db);
        return 130;
      }
      out.printf("embedded %,d images of %s into %s: %s, space %s (%,d vectors)%n", added, data, db, space.describe(),
          space.id(), database.count(space));
    }
    return 0;
  }

  private static int[] remaining(int size, BitSet done) {
    int[] order = new int[size - done.cardinality()];
    int at = 0;
    for (int i = done.nextClearBit(0); i < size; i = done.nextClearBit(i + 1)) order[at++] = i;
    return order;
  }
}
