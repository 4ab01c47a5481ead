/**
 * Datasets of images for passes over many examples (training, embeddings, maximally activating patches).
 *
 * <p>A {@link org.convscope.data.Dataset} knows its size, image geometry and class names, and loads any
 * examples on request as a {@link org.convscope.data.Batch} ([B,C,H,W] floats, labels, indices). Iterating
 * {@link org.convscope.data.Dataset#batches} or {@link org.convscope.data.Dataset#shuffledBatches} visits every
 * example once, loading one batch at a time, so memory stays bounded by the batch size (IDX datasets keep
 * their pixels as bytes; image folders and .npy files are read per batch). Shuffling is seeded and
 * reproducible. {@link org.convscope.data.Datasets#open} turns a command-line spec into a dataset.
 */
package org.convscope.data;
