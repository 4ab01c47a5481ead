package org.convscope.explain;

/**
 * How far a method that runs many passes has come (Score-CAM, occlusion, RISE, SmoothGrad, Integrated
 * Gradients): called after each batch of variants with the number done and their total, so that a caller can
 * show a progress bar. Called on the thread that runs the method.
 */
@FunctionalInterface
public interface Progress {
  Progress NONE = (done, total) -> {};

  void update(long done, long total);
}
