package org.convscope.embed;

/**
 * Which features to extract.
 *
 * @param layer a layer name (module path, node or tensor name), or null for the input of the model's final
 *     linear layer
 * @param pooling how spatial maps become one vector
 * @param batchSize images per forward pass
 */
public record FeatureOptions(String layer, Pooling pooling, int batchSize) {
  public FeatureOptions {
    if (pooling == null) throw new IllegalArgumentException("pooling is required");
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
    if (layer != null && layer.isBlank()) throw new IllegalArgumentException("layer name must not be blank");
  }

  /** The final linear layer's input, average pooling, batches of 128. */
  public static FeatureOptions defaults() {
    return new FeatureOptions(null, Pooling.AVG, 128);
  }
}
