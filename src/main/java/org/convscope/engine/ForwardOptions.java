package org.convscope.engine;

import java.util.Set;

/**
 * How to run a forward pass.
 *
 * @param keep intermediate tensors to keep in the trace besides the graph outputs
 * @param record keep every tensor, so the trace can be used for a backward pass
 * @param training run training-mode ops (BatchNormalization on batch statistics)
 */
public record ForwardOptions(Set<String> keep, boolean record, boolean training) {
  public ForwardOptions {
    keep = Set.copyOf(keep);
  }

  public static ForwardOptions inference() {
    return new ForwardOptions(Set.of(), false, false);
  }

  /** Inference that keeps the named tensors. */
  public static ForwardOptions keeping(String... names) {
    return new ForwardOptions(Set.of(names), false, false);
  }

  /** Inference recorded for a backward pass (explanations). */
  public static ForwardOptions forBackward() {
    return new ForwardOptions(Set.of(), true, false);
  }

  /** Training mode, recorded for a backward pass. */
  public static ForwardOptions forTraining() {
    return new ForwardOptions(Set.of(), true, true);
  }
}
