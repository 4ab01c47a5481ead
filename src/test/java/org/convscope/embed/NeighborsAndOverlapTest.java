package org.convscope.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.convscope.data.InMemoryDataset;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Neighbour searches against sorting every distance, and the class overlap against counts by hand. */
class NeighborsAndOverlapTest {
  private static float[] randomFloats(int count, long seed) {
    Random random = new Random(seed);
    float[] x = new float[count];
    for (int i = 0; i < count; i++) x[i] = random.nextFloat();
    return x;
  }

  /** Indices 0..n-1 except {@code skip}, sorted by distance then index. */
  private static Integer[] bruteForce(double[] distances, int skip) {
    Integer[] order = new Integer[distances.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> a == skip ? 1 : b == skip ? -1
        : distances[a] != distances[b] ? Double.compare(distances[a], distances[b]) : Integer.compare(a, b));
    return order;
  }

  @Test
  void neighbourGraphMatchesSortingEveryDistance() {
    int n = 700; // many row blocks; random floats make ties improbable
    int d = 9;
    float[] x = randomFloats(n * d, 1);
    NeighborGraph graph = NeighborGraph.build(x, n, d, 7, () -> false);
    for (int i = 0; i < n; i += 37) {
      double[] distances = new double[n];
      for (int j = 0; j < n; j++) distances[j] = NeighborGraph.squaredDistance(x, i, j, d);
      Integer[] order = bruteForce(distances, i);
      for (int r = 0; r < 7; r++) {
        assertEquals(order[r], graph.neighbor(i, r), "point " + i + " rank " + r);
        assertEquals(distances[order[r]], graph.distance(i, r), 1e-12);
      }
    }
  }

  @Test
  void neighbourGraphHandlesMoreThanOneChunkOfColumns() {
    int n = 4500;
    int d = 3;
    float[] x = randomFloats(n * d, 2);
    NeighborGraph graph = NeighborGraph.build(x, n, d, 4, () -> false);
    int i = 4321;
    double[] distances = new double[n];
    for (int j = 0; j < n; j++) distances[j] = NeighborGraph.squaredDistance(x, i, j, d);
    Integer[] order = bruteForce(distances, i);
    for (int r = 0; r < 4; r++) assertEquals(order[r], graph.neighbor(i, r));
  }

  @Test
  void pixelNeighboursMatchABruteForceSearch() throws IOException {
    int n = 300;
    int size = 3 * 5 * 4;
    float[] pixels = randomFloats(n * size, 3);
    int[] labels = new int[n];
    Arrays.setAll(labels, i -> i % 4);
    InMemoryDataset data = new InMemoryDataset("pixels", Tensor.of(pixels, n, 3, 5, 4), labels, List.of("a", "b", "c", "d"));
    float[] query = Arrays.copyOfRange(pixels, 17 * size, 18 * size);
    for (Metric metric : Metric.values()) {
      List<Neighbor> found = PixelNeighbors.search(data, "pixels", query, 6, metric, 17, () -> false);
      double[] distances = new double[n];
      for (int i = 0; i < n; i++) {
        double dot = 0;
        double nq = 0;
        double ni = 0;
        double squared = 0;
        for (int p = 0; p < size; p++) {
          double a = query[p];
          double b = pixels[i * size + p];
          dot += a * b;
          nq += a * a;
          ni += b * b;
          squared += (a - b) * (a - b);
        }
        distances[i] = metric == Metric.COSINE ? 1 - dot / Math.sqrt(nq * ni) : Math.sqrt(squared);
      }
      Integer[] order = bruteForce(distances, 17);
      for (int r = 0; r < 6; r++) {
        assertEquals(order[r], found.get(r).item().index(), metric + " rank " + r);
        assertEquals(distances[order[r]], found.get(r).distance(), 1e-5, metric + " distance " + r);
        assertEquals(order[r] % 4, found.get(r).item().label());
      }
    }
    assertThrows(IllegalArgumentException.class, () -> PixelNeighbors.search(data, "pixels", new float[5], 3, Metric.COSINE, -1, () -> false));
  }

  @Test
  void classOverlapCountsNeighbourSlotsByClass() {
    // Five points, two neighbours each: labels 0 0 1 1 2.
    int[] labels = {0, 0, 1, 1, 2};
    int[] neighbors = {
        1, 2, // 0 -> 0, 1
        0, 3, // 0 -> 0, 1
        3, 0, // 1 -> 1, 0
        2, 4, // 1 -> 1, 2
        3, 2, // 2 -> 1, 1
    };
    NeighborGraph graph = new NeighborGraph(5, 2, neighbors, new double[10]);
    ClassOverlap overlap = ClassOverlap.compute(graph, labels, List.of("a", "b", "c"));
    assertArrayEquals(new long[] {2, 2, 0}, overlap.counts()[0]);
    assertArrayEquals(new long[] {1, 2, 1}, overlap.counts()[1]);
    assertArrayEquals(new long[] {0, 2, 0}, overlap.counts()[2]);
    // (a, b): (2 + 1) of 8 slots; (b, c): (1 + 2) of 6; (a, c): 0 of 6.
    assertEquals(List.of(new ClassOverlap.Pair(1, 2, 0.5), new ClassOverlap.Pair(0, 1, 3 / 8.0), new ClassOverlap.Pair(0, 2, 0)),
        overlap.pairs());
    assertArrayEquals(new double[] {0.25, 0.5, 0.25}, overlap.shares()[1], 1e-12);
  }

  @Test
  void classesSharingAClusterAreTheMostMixedPair() {
    // Classes 0 and 1 drawn from one blob, 2 and 3 from blobs of their own.
    int n = 400;
    int d = 6;
    Random random = new Random(4);
    float[] x = new float[n * d];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 4;
      int blob = Math.max(0, labels[i] - 1);
      for (int p = 0; p < d; p++) x[i * d + p] = (float) (random.nextGaussian() + (p == blob ? 10 : 0));
    }
    ClassOverlap overlap = ClassOverlap.compute(NeighborGraph.build(x, n, d, 10, () -> false), labels, List.of("a", "b", "c", "d"));
    ClassOverlap.Pair first = overlap.pairs().get(0);
    assertEquals(0, first.first());
    assertEquals(1, first.second());
    assertTrue(first.mixing() > 0.35, "half the neighbours of a shared blob are of the other class: " + first);
    assertEquals(0, overlap.pairs().get(1).mixing(), "the other pairs never meet");
  }
}
