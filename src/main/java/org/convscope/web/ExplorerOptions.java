package org.convscope.web;

import java.nio.file.Path;

/**
 * How the explorer runs.
 *
 * @param host the address to listen on; 127.0.0.1 keeps the explorer to this machine
 * @param port the port, or 0 for any free one
 * @param cache where results are kept between runs (one folder per model hash inside)
 * @param uploadLimit the largest upload accepted, in bytes
 * @param workers how many results are computed at once
 * @param batchSize images per forward pass in dataset passes and batched explanation methods
 * @param patches patches shown per unit
 * @param masks masked images shown per unit
 * @param visualizationSteps gradient-ascent steps of a unit's feature visualization
 * @param embeddingPoints dataset images on the t-SNE map (the first ones)
 */
public record ExplorerOptions(String host, int port, Path cache, long uploadLimit, int workers, int batchSize, int patches,
    int masks, int visualizationSteps, int embeddingPoints) {
  public static final long DEFAULT_UPLOAD_LIMIT = 10L << 20;

  public ExplorerOptions {
    if (host == null || host.isBlank()) throw new IllegalArgumentException("--host must name an address, e.g. 127.0.0.1");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
    if (cache == null) throw new IllegalArgumentException("a cache folder is required");
    if (uploadLimit < 1) throw new IllegalArgumentException("the upload limit must be at least 1 byte, got " + uploadLimit);
    if (workers < 1) throw new IllegalArgumentException("need at least one worker, got " + workers);
    if (batchSize < 1) throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
    if (patches < 1) throw new IllegalArgumentException("need at least one patch per unit, got " + patches);
    if (masks < 1) throw new IllegalArgumentException("need at least one mask per unit, got " + masks);
    if (visualizationSteps < 1) throw new IllegalArgumentException("need at least one visualization step, got " + visualizationSteps);
    if (embeddingPoints < 2) throw new IllegalArgumentException("the embedding needs at least 2 points, got " + embeddingPoints);
  }

  /** Loopback on port 8080, 10 MB uploads, one worker per core. */
  public static ExplorerOptions defaults(Path cache) {
    return new ExplorerOptions("127.0.0.1", 8080, cache, DEFAULT_UPLOAD_LIMIT, Math.max(1, Runtime.getRuntime().availableProcessors()),
        64, 9, 6, 128, 1000);
  }

  public ExplorerOptions withHost(String h) {
    return new ExplorerOptions(h, port, cache, uploadLimit, workers, batchSize, patches, masks, visualizationSteps, embeddingPoints);
  }

  public ExplorerOptions withPort(int p) {
    return new ExplorerOptions(host, p, cache, uploadLimit, workers, batchSize, patches, masks, visualizationSteps, embeddingPoints);
  }

  public ExplorerOptions withUploadLimit(long bytes) {
    return new ExplorerOptions(host, port, cache, bytes, workers, batchSize, patches, masks, visualizationSteps, embeddingPoints);
  }

  public ExplorerOptions withWork(int newPatches, int newMasks, int steps, int points) {
    return new ExplorerOptions(host, port, cache, uploadLimit, workers, batchSize, newPatches, newMasks, steps, points);
  }

  /** Whether the explorer can be reached from other machines. */
  public boolean exposed() {
    return !(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127."));
  }
}
