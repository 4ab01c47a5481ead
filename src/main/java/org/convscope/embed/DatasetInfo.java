package org.convscope.embed;

import java.util.List;

/**
 * A dataset whose examples a {@link FeatureDatabase} holds vectors of: enough to reopen it (for images and
 * pixel-space search) and to name its classes.
 *
 * @param spec what {@link org.convscope.data.Datasets#open} opens, with file paths made absolute
 * @param size examples in the dataset
 * @param channels image geometry as the model saw it
 * @param classNames the dataset's class names, empty when unlabelled
 */
public record DatasetInfo(String spec, int size, int channels, int height, int width, List<String> classNames) {
  public DatasetInfo {
    classNames = List.copyOf(classNames);
  }
}
