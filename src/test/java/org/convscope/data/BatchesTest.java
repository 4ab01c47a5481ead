package org.convscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
  @Test
  void permutationIsReproducibleAndATruePermutation() {
    int[] a = Batches.permutation(1000, 42);
    assertArrayEquals(a, Batches.permutation(1000, 42));
    assertFalse(Arrays.equals(a, Batches.permutation(1000, 43)), "another seed, another order");
    assertFalse(Arrays.equals(a, Batches.identity(1000)), "actually shuffled");
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    assertArrayEquals(Batches.identity(1000), sorted);
    // java.util.Random's generator is fixed by the Java specification; this order was computed from that
    // specification (48-bit LCG, nextInt's rejection loop) outside Java, so the shuffle is the same everywhere.
    assertArrayEquals(new int[] {0, 1, 9, 3, 7, 4, 8, 5, 2, 6}, Batches.permutation(10, 7));
  }

  @Test
  void anEpochVisitsEveryExampleOnceWithTheRightData() throws IOException {
    IdxDataset data = IdxDatasetTest.counting(23);
    for (Iterable<Batch> epoch : List.of(data.batches(5), data.shuffledBatches(5, 99))) {
      List<Integer> seen = new ArrayList<>();
      List<Integer> sizes = new ArrayList<>();
      for (Batch batch : epoch) {
        sizes.add(batch.size());
        for (int b = 0; b < batch.size(); b++) {
          int index = batch.indices()[b];
          seen.add(index);
          assertEquals(index % 3, batch.labels()[b]);
          // counting(n) stores pixel p of image i as 10 i + p.
          assertEquals((10 * index + 3) / 255f, batch.images().get(b, 0, 1, 1), 0f);
        }
      }
      assertEquals(List.of(5, 5, 5, 5, 3), sizes);
      List<Integer> sorted = new ArrayList<>(seen);
      sorted.sort(null);
      assertEquals(Arrays.stream(Batches.identity(23)).boxed().toList(), sorted);
    }
    List<Integer> inOrder = new ArrayList<>();
    for (Batch batch : data.batches(5)) for (int i : batch.indices()) inOrder.add(i);
    assertEquals(Arrays.stream(Batches.identity(23)).boxed().toList(), inOrder);
  }

  @Test
  void shuffledEpochsRepeatWithTheSeed() throws IOException {
    IdxDataset data = IdxDatasetTest.counting(23);
    assertArrayEquals(order(data.shuffledBatches(4, 5)), order(data.shuffledBatches(4, 5)));
    assertArrayEquals(Batches.permutation(23, 5), order(data.shuffledBatches(4, 5)));
    Iterable<Batch> epoch = data.shuffledBatches(4, 5);
    assertArrayEquals(order(epoch), order(epoch), "iterating again gives the same pass");
  }

  @Test
  void customOrdersAndBadArgumentsAreChecked() throws IOException {
    IdxDataset data = IdxDatasetTest.counting(4);
    assertArrayEquals(new int[] {3, 3, 0}, order(data.batches(new int[] {3, 3, 0}, 2)));
    assertEquals("batch size must be at least 1, not 0",
        assertThrows(IllegalArgumentException.class, () -> data.batches(0)).getMessage());
    assertEquals("example 4 is outside counting (4 examples)",
        assertThrows(IndexOutOfBoundsException.class, () -> data.batches(new int[] {1, 4}, 2)).getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> data.batch(new int[] {-1}));
  }

  static int[] order(Iterable<Batch> batches) {
    List<Integer> all = new ArrayList<>();
    for (Batch b : batches) for (int i : b.indices()) all.add(i);
    return all.stream().mapToInt(Integer::intValue).toArray();
  }
}
