package org.convscope.embed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.data.ImageFolderDataset;

/**
 * Nearest neighbours in raw pixel space, by brute force over a dataset: the baseline that shows what a
 * network's features add (neighbours in pixel space match brightness and position, not content).
 */
public final class PixelNeighbors {
  private PixelNeighbors() {}

  /**
   * The k examples of {@code data} nearest to {@code query} (pixels in [0, 1], the dataset's C x H x W), under
   * {@code metric} applied to the flattened pixels; example {@code exclude} (the query itself) is skipped, -1 for
   * none. Ties go to the lower index.
   */
  public static List<Neighbor> search(Dataset data, String spec, float[] query, int k, Metric metric, int exclude,
      BooleanSupplier cancelled) throws IOException {
    int size = data.channels() * data.height() * data.width();
    if (query.length != size) {
      throw new IllegalArgumentException("the query has " + query.length + " pixel values but " + data.name() + " has "
          + data.channels() + "x" + data.height() + "x" + data.width() + " = " + size);
    }
    if (k < 1) throw new IllegalArgumentException("k must be at least 1, not " + k);
    float[] target = metric.prepare(query);
    PriorityQueue<double[]> best = new PriorityQueue<>(k + 1,
        Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> e[1]).reversed());
    try {
      for (Batch batch : data.batches(512)) {
        if (cancelled.getAsBoolean()) throw new java.util.concurrent.CancellationException("pixel search cancelled");
        float[] pixels = batch.images().data();
        for (int b = 0; b < batch.size(); b++) {
          int index = batch.indices()[b];
          if (index == exclude) continue;
          float[] image = metric.prepare(java.util.Arrays.copyOfRange(pixels, b * size, (b + 1) * size));
          best.add(new double[] {metric.distance(target, image), index});
          if (best.size() > k) best.poll();
        }
      }
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    List<double[]> sorted = new ArrayList<>(best);
    sorted.sort(Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> e[1]));
    List<Neighbor> out = new ArrayList<>();
    for (double[] e : sorted) {
      int index = (int) e[1];
      String path = data instanceof ImageFolderDataset folder ? folder.file(index).toString() : null;
      out.add(new Neighbor(new Item(spec, index, path, data.label(index), -1), e[0]));
    }
    return out;
  }
}
