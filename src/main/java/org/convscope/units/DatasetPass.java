package org.convscope.units;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.tensor.Tensor;

/**
 * One pass of a dataset through a cut model, a batch at a time: memory holds one batch of images and its
 * activations at the cut layer, whatever the dataset's size. No backward pass is recorded.
 */
final class DatasetPass {
  /** Receives the layer's activations [B,C,h,w] for each batch, with the batch (pixels, labels, indices). */
  @FunctionalInterface
  interface BatchConsumer {
    void accept(Tensor activations, Batch batch);
  }

  private DatasetPass() {}

  /**
   * @throws CancellationException when {@code cancelled} turns true; it is checked before every batch
   * @throws IllegalArgumentException for an empty dataset or one whose channels the preprocessing does not have
   */
  static void run(LayerCut cut, Dataset data, InputSpace space, int batchSize, String pass, BatchConsumer consumer,
      PassListener listener, BooleanSupplier cancelled) {
    checkUsable(data, space);
    int done = 0;
    for (Batch batch : data.batches(batchSize)) {
      if (cancelled.getAsBoolean()) throw new CancellationException(pass + ": cancelled after " + done + " images");
      consumer.accept(cut.activations(space.toModel(batch.images())), batch);
      done += batch.size();
      listener.imagesDone(pass, done, data.size());
    }
  }

  /** Loads the examples at {@code indices}; read errors surface as in {@link Dataset#batches}. */
  static Batch load(Dataset data, int[] indices) {
    try {
      return data.batch(indices);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Image {@code i} [C,H,W] of a batch of images [B,C,H,W]. */
  static Tensor image(Tensor images, int i) {
    int size = images.dim(1) * images.dim(2) * images.dim(3);
    return Tensor.of(Arrays.copyOfRange(images.data(), i * size, (i + 1) * size), images.dim(1), images.dim(2), images.dim(3));
  }

  static void checkUsable(Dataset data, InputSpace space) {
    if (data.size() == 0) throw new IllegalArgumentException(data.name() + " is empty");
    if (data.channels() != space.channels()) {
      throw new IllegalArgumentException(data.name() + " has " + data.channels() + " channel(s) but the model takes "
          + space.channels());
    }
  }
}
