package org.convscope.engine;

/**
 * An op whose output is its input with the axes permuted (Transpose). A run that records nothing reads it
 * straight from a held input whose layout already stores the values in that order
 * ({@link HeldTensor#permutedIfStored}): ConvNeXt's NCHW to NHWC transpose of its channels-last depthwise
 * convolution's output is then one copy, not a reorder to row-major and a transpose.
 */
public interface PermutingOp extends Op {
  /** The permutation for an input of rank {@code rank}: output axis k is input axis permutation[k]. */
  int[] permutation(int rank);
}
