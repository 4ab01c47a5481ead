package org.convscope.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.convscope.data.Dataset;
import org.convscope.data.Datasets;
import org.convscope.embed.DatasetInfo;
import org.convscope.embed.FeatureDatabase;
import org.convscope.embed.Item;
import org.convscope.embed.Space;
import org.convscope.input.Preprocessing;
import org.convscope.render.ImageOps;

/** What the embedding commands share: choosing a feature space of a database, and reopening its datasets. */
final class FeatureSpaces {
  private FeatureSpaces() {}

  /**
   * The one space of {@code db} that matches the layer name and model file given (either may be null), with
   * at least one vector.
   *
   * @throws UserException naming the spaces there are when none or several match, or the database is empty
   */
  static Space select(FeatureDatabase db, String layer, Path model) throws IOException {
    List<Space> spaces = db.spaces();
    if (spaces.isEmpty()) throw new UserException(db.path() + " holds no feature vectors yet; add some with convscope embed");
    if (model != null) {
      String hash = Space.hashFile(model);
      List<Space> ofModel = spaces.stream().filter(s -> s.modelHash().equals(hash)).toList();
      if (ofModel.isEmpty()) {
        throw new UserException(db.path() + " holds features of " + spaces.stream().map(Space::modelName).distinct()
            .collect(Collectors.joining(", ")) + ", not of " + model + " (its contents differ); embed with it first");
      }
      spaces = ofModel;
    }
    if (layer != null) {
      List<Space> ofLayer = spaces.stream().filter(s -> s.layer().equals(layer) || s.tensor().equals(layer)).toList();
      if (ofLayer.isEmpty()) throw new UserException(db.path() + " has no features of layer " + layer + "; it has: " + list(spaces));
      spaces = ofLayer;
    }
    if (spaces.size() > 1) {
      throw new UserException(db.path() + " holds several feature spaces; choose one with --layer or --model: " + list(spaces));
    }
    Space space = spaces.get(0);
    if (db.count(space) == 0) throw new UserException(db.path() + " holds no feature vectors yet for " + space.describe());
    return space;
  }

  private static String list(List<Space> spaces) {
    return spaces.stream().map(Space::describe).collect(Collectors.joining("; "));
  }

  /** The entries' vectors as one n x d row-major matrix. */
  static float[] matrix(List<FeatureDatabase.Entry> entries, int d) {
    float[] x = new float[entries.size() * d];
    for (int i = 0; i < entries.size(); i++) System.arraycopy(entries.get(i).vector(), 0, x, i * d, d);
    return x;
  }

  /** The entries' dataset labels, -1 where unlabelled. */
  static int[] labels(List<FeatureDatabase.Entry> entries) {
    return entries.stream().mapToInt(e -> e.item().label()).toArray();
  }

  /** The class names of the space's first dataset; empty when it has none. */
  static List<String> classNames(FeatureDatabase db, Space space) throws IOException {
    List<DatasetInfo> datasets = db.datasets(space);
    return datasets.isEmpty() ? List.of() : datasets.get(0).classNames();
  }

  /** A dataset spec with its file paths made absolute, so the database finds them from anywhere. */
  static String absoluteSpec(String spec) {
    if (spec.startsWith("fashion-mnist")) return spec;
    return java.util.Arrays.stream(spec.split(",", -1))
        .map(part -> Path.of(part).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(","));
  }

  /** Reopens a database's datasets at the geometry their features were computed at, each once. */
  static final class Images {
    private final FeatureDatabase db;
    private final Map<String, Dataset> open = new HashMap<>();

    Images(FeatureDatabase db) {
      this.db = db;
    }

    Dataset dataset(String spec) throws IOException {
      Dataset data = open.get(spec);
      if (data != null) return data;
      DatasetInfo info = db.dataset(spec).orElseThrow(() -> new UserException(db.path() + " does not describe dataset " + spec));
      Preprocessing pixels = new Preprocessing(new Preprocessing.To(info.height(), info.width()), info.channels(),
          Collections.nCopies(info.channels(), 0f), Collections.nCopies(info.channels(), 1f));
      data = Datasets.open(spec, pixels);
      if (data.size() != info.size()) {
        throw new UserException(spec + " has " + data.size() + " examples now but had " + info.size() + " when it was embedded");
      }
      open.put(spec, data);
      return data;
    }

    /** The image of an item, pixels in [0, 1]. */
    BufferedImage image(Item item) throws IOException {
      return ImageOps.fromTensor(dataset(item.dataset()).batch(new int[] {item.index()}).images());
    }

    /** The name of a class of the item's dataset, or "class K", or "unlabelled". */
    String className(String spec, int label) throws IOException {
      if (label < 0) return "unlabelled";
      List<String> names = db.dataset(spec).map(DatasetInfo::classNames).orElse(List.of());
      return label < names.size() ? names.get(label) : "class " + label;
    }
  }
}
