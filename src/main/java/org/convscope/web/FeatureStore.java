package org.convscope.web;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.convscope.data.Dataset;
import org.convscope.data.Datasets;
import org.convscope.embed.DatasetInfo;
import org.convscope.embed.FeatureDatabase;
import org.convscope.embed.FeatureExtractor;
import org.convscope.embed.FeatureOptions;
import org.convscope.embed.Metric;
import org.convscope.embed.Neighbor;
import org.convscope.embed.Space;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;

/**
 * A feature database made by {@code convscope embed}, as {@code serve --db} shows it: the one space of the
 * explorer's model and the one dataset it holds. The embedding page maps its vectors and takes each point's
 * feature-space neighbours from it, searched over every vector it holds. Checked when opened, so that a
 * database of another model, or an empty one, stops the server at startup with one line saying so.
 */
public final class FeatureStore implements AutoCloseable {
  /** Dataset examples compared with the database's record of them, to tell another dataset of the same size. */
  private static final int LABELS_CHECKED = 16;

  private final FeatureDatabase db;
  private final Space space;
  private final DatasetInfo dataset;
  private final int count;

  private FeatureStore(FeatureDatabase db, Space space, DatasetInfo dataset, int count) {
    this.db = db;
    this.space = space;
    this.dataset = dataset;
    this.count = count;
  }

  /**
   * Opens the database in {@code dir} for the model whose file has SHA-256 {@code modelHash}.
   *
   * @throws IllegalArgumentException with a one-line message when it is empty, holds only other models'
   *     features, several spaces of this model with none the default, or several datasets
   * @throws IOException when {@code dir} is not a feature database
   */
  public static FeatureStore open(Path dir, Model model, String modelHash) throws IOException {
    FeatureDatabase db = FeatureDatabase.open(dir);
    try {
      List<Space> spaces = db.spaces();
      if (spaces.isEmpty()) throw new IllegalArgumentException(dir + " holds no feature vectors yet; add some with convscope embed");
      List<Space> ofModel = spaces.stream().filter(s -> s.modelHash().equals(modelHash)).toList();
      if (ofModel.isEmpty()) {
        throw new IllegalArgumentException(dir + " holds features of " + spaces.stream().map(Space::modelName).distinct()
            .collect(Collectors.joining(", ")) + ", not of " + model.source() + " (its contents differ); make one with"
            + " convscope embed MODEL --data DATA --db DIR");
      }
      Space space = ofModel.get(0);
      if (ofModel.size() > 1) {
        String tensor = new FeatureExtractor(model, FeatureOptions.defaults()).tensor();
        List<Space> byDefault = ofModel.stream().filter(s -> s.tensor().equals(tensor)).toList();
        if (byDefault.size() != 1) {
          throw new IllegalArgumentException(dir + " holds several feature spaces of this model and the explorer shows one; "
              + "use a database with one of them: " + ofModel.stream().map(Space::describe).collect(Collectors.joining("; ")));
        }
        space = byDefault.get(0);
      }
      int count = db.count(space);
      if (count == 0) throw new IllegalArgumentException(dir + " holds no feature vectors yet for " + space.describe());
      List<DatasetInfo> datasets = db.datasets(space);
      if (datasets.size() != 1) {
        throw new IllegalArgumentException(dir + " holds features of " + datasets.size() + " datasets ("
            + datasets.stream().map(DatasetInfo::spec).collect(Collectors.joining(", ")) + "); the explorer shows one");
      }
      return new FeatureStore(db, space, datasets.get(0), count);
    } catch (IOException | RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** The dataset the database was made from, reopened at the geometry its features were computed at, pixels in [0, 1]. */
  public Dataset openDataset() throws IOException {
    Preprocessing pixels = new Preprocessing(new Preprocessing.To(dataset.height(), dataset.width()), dataset.channels(),
        Collections.nCopies(dataset.channels(), 0f), Collections.nCopies(dataset.channels(), 1f));
    Dataset data = Datasets.open(dataset.spec(), pixels);
    check(data);
    return data;
  }

  /**
   * Checks that {@code data} is the dataset the database was made from: its size, geometry and the labels of
   * its first examples.
   *
   * @throws IllegalArgumentException saying how it differs
   */
  public void check(Dataset data) throws IOException {
    String what = data.name() + " is not the dataset " + db.path() + " was made from (" + dataset.spec() + "): ";
    if (data.size() != dataset.size()) {
      throw new IllegalArgumentException(what + "it has " + data.size() + " images, the database's had " + dataset.size());
    }
    if (data.channels() != dataset.channels() || data.height() != dataset.height() || data.width() != dataset.width()) {
      throw new IllegalArgumentException(what + String.format("its images are %dx%dx%d, the database's were %dx%dx%d", data.channels(),
          data.height(), data.width(), dataset.channels(), dataset.height(), dataset.width()));
    }
    for (int i = 0; i < Math.min(LABELS_CHECKED, data.size()); i++) {
      var entry = db.find(space, dataset.spec(), i);
      if (entry.isPresent() && entry.get().item().label() != data.label(i)) {
        throw new IllegalArgumentException(what + "image " + i + " is labelled " + data.label(i) + " here and "
            + entry.get().item().label() + " there");
      }
    }
  }

  /** The first {@code n} vectors of the space (by dataset index) with their items. */
  List<FeatureDatabase.Entry> first(int n) throws IOException {
    List<FeatureDatabase.Entry> out = new ArrayList<>();
    for (FeatureDatabase.Entry e : db.entries(space)) {
      if (out.size() == n) break;
      if (e.item().dataset().equals(dataset.spec())) out.add(e);
    }
    return out;
  }

  /** The k nearest vectors of the whole space to the one of dataset image {@code self}, which is left out. */
  List<Neighbor> neighbours(float[] vector, int self, int k) throws IOException {
    List<Neighbor> out = new ArrayList<>();
    for (Neighbor n : db.search(space, vector, FeatureDatabase.SearchOptions.approximate(k + 1))) {
      if (n.item().index() != self && out.size() < k) out.add(n);
    }
    return out;
  }

  /** For messages: the space and how many vectors it holds. */
  public String describe() {
    return String.format("%s, %,d vectors of %s", space.describe(), count, dataset.spec());
  }

  Space space() {
    return space;
  }

  Metric metric() {
    return space.metric();
  }

  String datasetSpec() {
    return dataset.spec();
  }

  /** Vectors in the space. */
  int count() {
    return count;
  }

  public Path path() {
    return db.path();
  }

  @Override
  public void close() throws IOException {
    db.close();
  }
}
