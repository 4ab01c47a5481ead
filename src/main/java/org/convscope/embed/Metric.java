package org.convscope.embed;

import java.util.Locale;

/**
 * How far apart two feature vectors are. A feature space is built for one metric: cosine spaces keep their
 * vectors scaled to unit length, so that Euclidean geometry on the stored vectors (t-SNE, PCA, the k-NN graph)
 * orders neighbours exactly as cosine distance does.
 */
public enum Metric {
  /** 1 - cos(a, b), in [0, 2]. The usual choice for CNN features, whose length carries little meaning. */
  COSINE,
  /** The straight-line distance |a - b|. */
  EUCLIDEAN;

  /**
   * A metric by its command-line name, {@code cosine} or {@code euclidean}.
   *
   * @throws IllegalArgumentException naming both
   */
  public static Metric named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "cosine" -> COSINE;
      case "euclidean" -> EUCLIDEAN;
      default -> throw new IllegalArgumentException("unknown metric '" + name + "'; expected cosine or euclidean");
    };
  }

  /** The vector as this metric stores it: scaled to unit length for cosine (a zero vector stays zero). */
  public float[] prepare(float[] vector) {
    if (this == EUCLIDEAN) return vector.clone();
    double norm = 0;
    for (float v : vector) norm += (double) v * v;
    float[] out = vector.clone();
    if (norm == 0) return out;
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < out.length; i++) out[i] *= scale;
    return out;
  }

  /**
   * The distance between two vectors already {@linkplain #prepare prepared} for this metric: for cosine,
   * 1 - a.b (a zero vector is at distance 1 from everything).
   */
  public double distance(float[] a, float[] b) {
    if (a.length != b.length) throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " dimensions");
    double sum = 0;
    if (this == COSINE) {
      for (int i = 0; i < a.length; i++) sum += (double) a[i] * b[i];
      return Math.max(0, 1 - sum);
    }
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      sum += d * d;
    }
    return Math.sqrt(sum);
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
