package org.convscope.engine;

import java.util.Set;

/**
 * How to run a forward pass.
 *
 * @param keep intermediate tensors to keep in the trace besides the graph outputs
 * @param record keep what a backward pass needs, so the trace can be used for one
 * @param training run training-mode ops (BatchNormalization on batch statistics)
 * @param gradientsFor when recording, the only tensors that backward passes from this run will take gradients
 *     with respect to (with what lies downstream of them); empty for any tensor. The part of the graph that no
 *     such gradient passes through then runs as an unrecorded run does, fused.
 * @param arrays where a training run's ops take their outputs from ({@link ArrayPool}), or null
 */
public record ForwardOptions(Set<String> keep, boolean record, boolean training, Set<String> gradientsFor,
    ArrayPool arrays) {
  public ForwardOptions {
    keep = Set.copyOf(keep);
    gradientsFor = Set.copyOf(gradientsFor);
  }

  public ForwardOptions(Set<String> keep, boolean record, boolean training) {
    this(keep, record, training, Set.of(), null);
  }

  public static ForwardOptions inference() {
    return new ForwardOptions(Set.of(), false, false);
  }

  /** Inference that keeps the named tensors. */
  public static ForwardOptions keeping(String... names) {
    return new ForwardOptions(Set.of(names), false, false);
  }

  /** Inference recorded for a backward pass to any tensor (explanations). */
  public static ForwardOptions forBackward() {
    return new ForwardOptions(Set.of(), true, false);
  }

  /**
   * Inference recorded for backward passes to the named tensors only, such as Grad-CAM's layer: everything
   * before them runs fused, as in {@link #inference()}, and the named tensors are kept.
   */
  public static ForwardOptions forBackwardTo(String... tensors) {
    if (tensors.length == 0) throw new IllegalArgumentException("name at least one tensor, or use forBackward()");
    return new ForwardOptions(Set.of(), true, false, Set.of(tensors), null);
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
    return new ForwardOptions(Set.of(), true, true, Set.of(), arrays);
  }
}
