package org.convscope.embed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The feature database's indexing rate and query latency on N random Gaussian vectors of D dimensions (cosine):
 * vectors per second for indexing (commits every 10,000 and the final merge included), then the median and
 * 99th-percentile latency of approximate 10-NN queries at the default number of candidates, of exact queries,
 * and recall@10 of the approximate answers against the exact ones. A DIR that already holds the N vectors is
 * reused, to time queries again. M and BEAM set the HNSW graph (default Lucene's 16 and 100). Not a test; run it
 * alone:
 *
 * <pre>
 * java -Xmx8g -cp target/classes:target/test-classes:$(cat target/cp.txt) org.convscope.embed.DatabaseBench N [D] [DIR] [M BEAM]
 * </pre>
 */
public final class DatabaseBench {
  private static final int QUERIES = 1000;
  private static final int EXACT_QUERIES = 50;

  private DatabaseBench() {}

  public static void main(String[] args) throws IOException {
    int n = Integer.parseInt(args[0]);
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("convscope-db-bench");
    GraphOptions graph = args.length > 4 ? new GraphOptions(Integer.parseInt(args[3]), Integer.parseInt(args[4])) : GraphOptions.defaults();
    System.out.println("HNSW M " + graph.maxConnections() + ", beam width " + graph.beamWidth());
    System.out.println("load average at start: " + Files.readString(Path.of("/proc/loadavg")).trim());
    Space space = Space.of("bench", "random", "-", "random", "random", Pooling.AVG, Metric.COSINE, d);
    Random random = new Random(1);
    long start = System.nanoTime();
    try (FeatureDatabase db = FeatureDatabase.openOrCreate(dir)) {
      if (db.spaces().contains(space) && db.count(space) == n) {
        System.out.printf(Locale.ROOT, "reusing the %,d vectors in %s%n", n, dir); // to time queries again
      } else {
        try (FeatureDatabase.Indexer indexer = db.indexer(space, new DatasetInfo("random", n, 1, 1, d, List.of()), FeatureDatabase.DEFAULT_COMMIT_EVERY, graph)) {
          for (int i = 0; i < n; i++) indexer.add(gaussian(random, d), new Item("random", i, null, -1, -1));
        }
        double indexSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "indexed %,d vectors of %d dims in %.1f s: %.0f vectors/s%n", n, d, indexSeconds, n / indexSeconds);
      }

      Random queries = new Random(2);
      float[][] q = new float[QUERIES][];
      for (int i = 0; i < QUERIES; i++) q[i] = gaussian(queries, d);
      for (int i = 0; i < 100; i++) db.search(space, q[i], FeatureDatabase.SearchOptions.approximate(10)); // warm-up
      double[] approximate = new double[QUERIES];
      for (int i = 0; i < QUERIES; i++) {
        long t = System.nanoTime();
        db.search(space, q[i], FeatureDatabase.SearchOptions.approximate(10));
        approximate[i] = (System.nanoTime() - t) / 1e6;
      }
      double[] exact = new double[EXACT_QUERIES];
      int found = 0;
      for (int i = 0; i < EXACT_QUERIES * 2; i++) {
        long t = System.nanoTime();
        List<Neighbor> truth = db.search(space, q[i], FeatureDatabase.SearchOptions.exact(10));
        if (i >= EXACT_QUERIES) exact[i - EXACT_QUERIES] = (System.nanoTime() - t) / 1e6;
        Set<Integer> ids = new HashSet<>();
        for (Neighbor nb : truth) ids.add(nb.item().index());
        for (Neighbor nb : db.search(space, q[i], FeatureDatabase.SearchOptions.approximate(10))) if (ids.contains(nb.item().index())) found++;
      }
      System.out.printf(Locale.ROOT, "approximate 10-NN (%d candidates): median %.2f ms, p99 %.2f ms; exact: median %.1f ms, p99 %.1f ms;"
          + " recall@10 %.3f over %d queries%n", FeatureDatabase.DEFAULT_CANDIDATES, percentile(approximate, 50), percentile(approximate, 99),
          percentile(exact, 50), percentile(exact, 99), found / (10.0 * EXACT_QUERIES * 2), EXACT_QUERIES * 2);
    }
    System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
  }

  private static float[] gaussian(Random random, int d) {
    float[] v = new float[d];
    for (int p = 0; p < d; p++) v[p] = (float) random.nextGaussian();
    return v;
  }

  private static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
  }
}
