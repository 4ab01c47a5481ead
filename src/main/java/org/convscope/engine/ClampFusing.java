package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op that can apply a {@link Clamp} to its only output as it computes it. {@link Network} uses it in runs
 * that record nothing, when a Relu or Clip is the only reader of the op's output and that output is not kept:
 * the pre-activation tensor is then never needed, so it is never written.
 */
public interface ClampFusing extends Op {

  /**
   * The clamped output, as {@link #forward} followed by the clamp would give it (except that a NaN may come
   * out as the lower bound, as oneDNN clamps it), or null when this op cannot fuse it for these inputs.
   */
  Tensor[] forwardClamped(ExecutionContext context, Tensor[] inputs, Clamp clamp);
}
