package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op whose forward pass oneDNN can run on held inputs, leaving its output held: Transpose (a view of the same
 * memory), layer norm, a Linear layer, Add, and Mul by one factor per channel. In a run that records nothing, a
 * chain of them between convolutions (ConvNeXt's blocks: a transpose to channels-last, a layer norm, two Linear
 * layers, a transpose back, a scale per channel and the residual Add) then never converts to a Java array and
 * back (see {@link Network}).
 */
public interface HeldForwardOp extends Op {

  /**
   * Whether this op runs held with input {@code j} held, judged when the network is loaded: for each input,
   * whether it may come held ({@code mayBeHeld}: its producer may leave it so) and its value when it is a constant
   * (else null). The executor then leaves j's producer's output held for it.
   */
  default boolean readsHeld(int j, boolean[] mayBeHeld, Tensor[] constants) {
    return j == 0; // most such ops read their first input held, the others as they are
  }

  /**
   * The first output, held, as {@link #forward} computes it to rounding, from {@code inputs[j]} or, where that
   * is null, {@code held[j]}; or null, having computed nothing, when this op cannot run so on these inputs (it
   * then runs as usual). The inputs stay open.
   */
  HeldTensor forwardHeld(ExecutionContext context, Tensor[] inputs, HeldTensor[] held);
}
