package org.convscope.engine.dnnl;

/**
 * Conversions of held activations between layouts (one convolution wrote it channel-blocked, the next reads
 * it another way, or a Java op wants it row-major). The reorder primitives are cached by layout pair, since
 * the same few conversions recur in every run and creating one costs more than running it.
 */
final class Reorders {
  private static final LeasedCache<String, Primitive> CACHE = LeasedCache.ofCount(128);

  private Reorders() {}

  /**
   * Adds the data in {@code from} (layout {@code fromMd}) to what {@code to} holds in layout {@code toMd}: one
   * reorder with oneDNN's sum post-op, reading {@code from} where it lies (a part of a larger tensor too).
   */
  static void accumulate(Workspace workspace, MemoryDesc fromMd, NativeBuffer from, MemoryDesc toMd,
      NativeBuffer to) {
    reorder(workspace, fromMd, from, toMd, to, true);
  }

  /** Writes the data in {@code from} (layout {@code fromMd}) into {@code to} in layout {@code toMd}. */
  static void convert(Workspace workspace, MemoryDesc fromMd, NativeBuffer from, MemoryDesc toMd, NativeBuffer to) {
    if (fromMd.sameLayout(toMd)) {
      from.copyTo(to, toMd.bytes());
      return;
    }
    reorder(workspace, fromMd, from, toMd, to, false);
  }

  /**
   * A part of a larger tensor is read from its own first element, so that its reorder does not depend on where it
   * lies: DenseNet's Concats cut hundreds of parts per pass, which would each need a primitive.
   */
  private static void reorder(Workspace workspace, MemoryDesc fromMd, NativeBuffer from, MemoryDesc toMd,
      NativeBuffer to, boolean adding) {
    long offset = fromMd.offset();
    try (MemoryDesc rebased = offset == 0 ? null : fromMd.withoutOffset()) {
      MemoryDesc source = rebased != null ? rebased : fromMd;
      String key = source.layoutKey() + (adding ? " += " : " -> ") + toMd.layoutKey();
      try (Lease<Primitive> reorder = CACHE.acquire(key,
          k -> adding ? Primitive.reorderAdding(source, toMd) : Primitive.reorder(source, toMd))) {
        workspace.reorder(reorder.get(), source, rebased != null ? from.from(offset) : from, toMd, to);
      }
    }
  }
}
