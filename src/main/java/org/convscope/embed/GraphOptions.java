package org.convscope.embed;

/**
 * How a {@link FeatureDatabase} builds its HNSW graphs (Malkov and Yashunin, IEEE TPAMI 2020), in Lucene's terms.
 * More of either costs indexing time and memory and buys recall: random high-dimensional vectors need much more
 * than Lucene's defaults (see docs/BENCHMARKS.md), clustered CNN features far less.
 *
 * @param maxConnections M: the neighbours each node links to per layer (Lucene's default 16, at most 512)
 * @param beamWidth the candidates considered while linking a new node (Lucene's default 100, at most 3200)
 */
public record GraphOptions(int maxConnections, int beamWidth) {
  private static final int MAX_CONNECTIONS_LIMIT = 512;
  private static final int BEAM_WIDTH_LIMIT = 3200;

  public GraphOptions {
    if (maxConnections < 2 || maxConnections > MAX_CONNECTIONS_LIMIT) {
      throw new IllegalArgumentException("HNSW M must be in [2, " + MAX_CONNECTIONS_LIMIT + "], not " + maxConnections);
    }
    if (beamWidth < 1 || beamWidth > BEAM_WIDTH_LIMIT) {
      throw new IllegalArgumentException("HNSW beam width must be in [1, " + BEAM_WIDTH_LIMIT + "], not " + beamWidth);
    }
  }

  /** Lucene's defaults: M 16, beam width 100. */
  public static GraphOptions defaults() {
    return new GraphOptions(16, 100);
  }
}
