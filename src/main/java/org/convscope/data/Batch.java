package org.convscope.data;

import org.convscope.tensor.Tensor;

/**
 * Examples loaded together. The arrays belong to the batch; they are not copied.
 *
 * @param images float [B,C,H,W]
 * @param labels the class of each example, -1 when unlabelled
 * @param indices each example's index in its dataset
 */
public record Batch(Tensor images, int[] labels, int[] indices) {
  public Batch {
    if (!images.isFloat() || images.rank() != 4) {
      throw new IllegalArgumentException("batch images must be float [B,C,H,W], not " + images);
    }
    if (labels.length != images.dim(0) || indices.length != images.dim(0)) {
      throw new IllegalArgumentException("batch of " + images.dim(0) + " images has " + labels.length
          + " labels and " + indices.length + " indices");
    }
  }

  /** Number of examples. */
  public int size() {
    return indices.length;
  }
}
