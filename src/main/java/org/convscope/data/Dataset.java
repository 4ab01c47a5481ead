package org.convscope.data;

import java.io.IOException;
import java.util.List;

/**
 * A fixed collection of images of one geometry, with optional class labels, read a batch at a time.
 *
 * <p>Implementations are immutable once opened, and {@link #batch} may be called from several threads.
 */
public interface Dataset {
  /** Where the data comes from, for messages and reports (e.g. {@code fashion-mnist:test}). */
  String name();

  /** Number of examples. */
  int size();

  int channels();

  int height();

  int width();

  /** Class names indexed by label; empty when the dataset has no labels. */
  List<String> classNames();

  /** The label of example {@code index}, or -1 when it has none. Cheap: labels are kept in memory. */
  int label(int index);

  /**
   * Loads the examples at {@code indices}, in that order.
   *
   * @throws IndexOutOfBoundsException for an index outside [0, size)
   * @throws IOException when an example cannot be read, with a message naming its file
   */
  Batch batch(int[] indices) throws IOException;

  /**
   * Every example once, in order, {@code batchSize} at a time (the last batch may be smaller). Each batch is
   * loaded when the iteration reaches it; read errors surface as {@link java.io.UncheckedIOException}.
   */
  default Iterable<Batch> batches(int batchSize) {
    return Batches.over(this, Batches.identity(size()), batchSize);
  }

  /**
   * Every example once, in an order shuffled from {@code seed}: the same seed gives the same order on every
   * run and machine. For several training epochs, derive one seed per epoch (e.g. {@code seed + epoch}).
   */
  default Iterable<Batch> shuffledBatches(int batchSize, long seed) {
    return Batches.over(this, Batches.permutation(size(), seed), batchSize);
  }

  /** The examples listed in {@code order} (a subset, or a custom order), {@code batchSize} at a time. */
  default Iterable<Batch> batches(int[] order, int batchSize) {
    return Batches.over(this, order, batchSize);
  }
}
