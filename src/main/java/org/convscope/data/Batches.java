package org.convscope.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;

/** Orders of examples and batch iteration over them. */
public final class Batches {
  private Batches() {}

  /** 0, 1, ..., n-1. */
  public static int[] identity(int n) {
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    return order;
  }

  /**
   * A uniformly random permutation of 0..n-1 determined by {@code seed} (Fisher-Yates). Uses
   * {@link java.util.Random}, whose sequence the Java specification fixes, so orders are reproducible across
   * JVMs.
   */
  public static int[] permutation(int n, long seed) {
    int[] order = identity(n);
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Checks indices against a dataset's size before loading them. */
  public static void checkIndices(Dataset dataset, int[] indices) {
    for (int index : indices) {
      if (index < 0 || index >= dataset.size()) {
        throw new IndexOutOfBoundsException("example " + index + " is outside " + dataset.name() + " ("
            + dataset.size() + " examples)");
      }
    }
  }

  /** The examples in {@code order}, {@code batchSize} at a time, each batch loaded when reached. */
  static Iterable<Batch> over(Dataset dataset, int[] order, int batchSize) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
    int[] fixed = order.clone();
    checkIndices(dataset, fixed);
    return () -> new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < fixed.length;
      }

      @Override
      public Batch next() {
        if (!hasNext()) throw new NoSuchElementException();
        int[] indices = Arrays.copyOfRange(fixed, next, Math.min(fixed.length, next + batchSize));
        next += indices.length;
        try {
          return dataset.batch(indices);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}
