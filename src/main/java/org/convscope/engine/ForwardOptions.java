package org.convscope.engine;

import java.util.Set;

/**
 * How to run a forward pass.
 *
 * @param keep intermediate tensors to keep in the trace besides the graph outputs
 * @param record keep every tensor, so the trace can be used for a backward pass
 * @param training run training-mode ops (BatchNormalization on batch statistics)
 * @param arrays where a training run's ops take their outputs from ({@link ArrayPool}), or null
 */
public record ForwardOptions(Set<String> keep, boolean record, boolean training, ArrayPool arrays) {
  public ForwardOptions {
    keep = Set.copyOf(keep);
  }

  public ForwardOptions(Set<String> keep, boolean record, boolean training) {
    this(keep, record, training, null);
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

  /**
   * Training mode with the ops' outputs, and the gradients of the backward pass from the same trace, taken from
   * {@code arrays}: the caller recycles them once it is done with the step.
   */
  public static ForwardOptions forTraining(ArrayPool arrays) {
    return new ForwardOptions(Set.of(), true, true, arrays);
  }
}
