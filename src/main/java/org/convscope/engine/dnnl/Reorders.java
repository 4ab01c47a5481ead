package org.convscope.engine.dnnl;

/**
 * Conversions of held activations between layouts (one convolution wrote it channel-blocked, the next reads
 * it another way, or a Java op wants it row-major). The reorder primitives are cached by layout pair, since
 * the same few conversions recur in every run and creating one costs more than running it.
 */
final class Reorders {
  private static final LeasedCache<String, Primitive> CACHE = LeasedCache.ofCount(128);

  private Reorders() {}

  /** Writes the data in {@code from} (layout {@code fromMd}) into {@code to} in layout {@code toMd}. */
  static void convert(Workspace workspace, MemoryDesc fromMd, NativeBuffer from, MemoryDesc toMd, NativeBuffer to) {
    if (fromMd.sameLayout(toMd)) {
      from.copyTo(to, toMd.bytes());
      return;
    }
    String key = fromMd.layoutKey() + " -> " + toMd.layoutKey();
    try (Lease<Primitive> reorder = CACHE.acquire(key, k -> Primitive.reorder(fromMd, toMd))) {
      workspace.reorder(reorder.get(), fromMd, from, toMd, to);
    }
  }
}
