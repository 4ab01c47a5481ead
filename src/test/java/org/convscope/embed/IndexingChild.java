package org.convscope.embed;

import java.nio.file.Path;
import java.util.List;

/**
 * A process for {@link FeatureDatabaseTest} to kill: indexes vectors into a database without end, committing
 * every N and saying so on stdout.
 */
public final class IndexingChild {
  static final Space SPACE = Space.of("cafe", "child.onnx", "/nowhere/child.onnx", "fc", "features", Pooling.AVG, Metric.EUCLIDEAN, 16);
  static final DatasetInfo DATA = new DatasetInfo("endless", Integer.MAX_VALUE, 1, 4, 4, List.of());

  private IndexingChild() {}

  /** The vector of example i: recognizable after the kill. */
  static float[] vector(int i) {
    float[] v = new float[SPACE.dimension()];
    for (int p = 0; p < v.length; p++) v[p] = i + p / 100f;
    return v;
  }

  /** Arguments: database folder, commit interval. */
  public static void main(String[] args) throws Exception {
    int commitEvery = Integer.parseInt(args[1]);
    try (FeatureDatabase db = FeatureDatabase.openOrCreate(Path.of(args[0]));
        FeatureDatabase.Indexer indexer = db.indexer(SPACE, DATA, commitEvery)) {
      for (int i = 0; ; i++) {
        indexer.add(vector(i), new Item(DATA.spec(), i, null, i % 3, 0));
        if (indexer.added() % commitEvery == 0) {
          System.out.println("committed " + indexer.added());
          System.out.flush();
        }
      }
    }
  }
}
