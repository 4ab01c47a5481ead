package org.convscope.units;

/** Hears how far a pass over a dataset has got, after every batch: for progress bars. */
@FunctionalInterface
public interface PassListener {
  /** Does nothing. */
  PassListener NONE = (pass, done, total) -> {};

  /**
   * @param pass what the pass is for, e.g. "top activations" or "threshold, pass 2"
   * @param done images processed so far in this pass
   * @param total images in the pass
   */
  void imagesDone(String pass, int done, int total);
}
