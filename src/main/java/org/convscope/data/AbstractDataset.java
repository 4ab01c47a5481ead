package org.convscope.data;

import java.util.List;
import java.util.Objects;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * What every dataset here keeps in memory: its name, image geometry, class names and one label per example.
 * Subclasses only load pixels.
 */
abstract class AbstractDataset implements Dataset {
  private final String name;
  private final int channels;
  private final int height;
  private final int width;
  /** One label per example, -1 where there is none. */
  private final int[] labels;
  private final List<String> classNames;

  AbstractDataset(String name, int channels, int height, int width, int[] labels, List<String> classNames) {
    this.name = name;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.labels = labels;
    this.classNames = List.copyOf(classNames);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public int height() {
    return height;
  }

  @Override
  public int width() {
    return width;
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public int label(int index) {
    Objects.checkIndex(index, labels.length);
    return labels[index];
  }

  /** Values in one example. */
  int imageSize() {
    return channels * height * width;
  }

  /** Room for the examples at {@code indices}, after checking them. */
  float[] allocate(int[] indices) {
    Batches.checkIndices(this, indices);
    return new float[Shapes.checkedSize(new int[] {indices.length, channels, height, width})];
  }

  /** The batch of the examples at {@code indices}, whose pixels {@code values} holds in that order. */
  Batch assemble(int[] indices, float[] values) {
    int[] batchLabels = new int[indices.length];
    for (int b = 0; b < indices.length; b++) batchLabels[b] = labels[indices[b]];
    return new Batch(Tensor.of(values, indices.length, channels, height, width), batchLabels, indices.clone());
  }
}
