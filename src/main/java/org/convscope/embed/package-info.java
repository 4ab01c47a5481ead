/**
 * Embedding analysis: what a layer's features say about a dataset.
 *
 * <ul>
 *   <li>{@link org.convscope.embed.FeatureExtractor}: one pooled feature vector per image from any layer, by
 *       default the input of the final linear layer, with the predicted class;
 *   <li>{@link org.convscope.embed.FeatureDatabase}: the vectors persisted in a Lucene index, one
 *       {@link org.convscope.embed.Space} per (model, layer, pooling, metric), searched by HNSW or exactly;
 *       committed every N vectors, so an interrupted run loses nothing committed; its HNSW graphs are built
 *       with the space's {@link org.convscope.embed.GraphOptions};
 *   <li>{@link org.convscope.embed.PixelNeighbors}: the raw-pixel baseline for nearest neighbours;
 *   <li>{@link org.convscope.embed.Tsne} (t-SNE with FFT-interpolated repulsion) and
 *       {@link org.convscope.embed.Pca} for 2-D maps, with {@link org.convscope.embed.EmbeddingQuality} to
 *       judge them (trustworthiness, k-NN class agreement) and {@link org.convscope.embed.MapThumbnails} to
 *       pick the images drawn on them;
 *   <li>{@link org.convscope.embed.ClassOverlap}: the classes whose neighbourhoods mix, from the exact k-NN
 *       graph ({@link org.convscope.embed.NeighborGraph}).
 * </ul>
 *
 * <p>Results are computed in parallel on all cores, and every sum is collected in a fixed order, so the same
 * inputs and seed give the same results on every run. This package depends on tensor, engine, model and data;
 * drawing is left to the render package and the command line.
 */
package org.convscope.embed;
