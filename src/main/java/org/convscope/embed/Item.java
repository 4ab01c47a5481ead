package org.convscope.embed;

/**
 * What a feature vector was computed from.
 *
 * @param dataset the dataset spec, as {@link org.convscope.data.Datasets#open} reads it
 * @param index the example's index in that dataset
 * @param path the image file, for datasets of files; null otherwise
 * @param label the dataset's label, -1 when unlabelled
 * @param predicted the class the model predicted, -1 when unknown (pixel-space neighbours)
 */
public record Item(String dataset, int index, String path, int label, int predicted) {}
