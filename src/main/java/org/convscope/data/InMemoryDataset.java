package org.convscope.data;

import java.util.List;
import org.convscope.tensor.Tensor;

/** Images already in memory as one [N,C,H,W] tensor: generated data, tests, small slices of larger sets. */
public final class InMemoryDataset extends AbstractDataset {
  private final Tensor images;

  public InMemoryDataset(String name, Tensor images, int[] labels, List<String> classNames) {
    super(name, images.dim(1), images.dim(2), images.dim(3), labels.clone(), classNames);
    if (images.rank() != 4 || labels.length != images.dim(0)) {
      throw new IllegalArgumentException(name + ": need [N,C,H,W] images and N labels, got " + images + " and " + labels.length);
    }
    this.images = images;
  }

  @Override
  public Batch batch(int[] indices) {
    Batches.checkIndices(this, indices);
    int per = channels() * height() * width();
    float[] out = new float[indices.length * per];
    int[] labels = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(images.data(), indices[i] * per, out, i * per, per);
      labels[i] = label(indices[i]);
    }
    return new Batch(Tensor.of(out, indices.length, channels(), height(), width()), labels, indices.clone());
  }
}
