package org.convscope.engine;

import org.convscope.tensor.Tensor;

/**
 * An op that, in inference, maps each channel of its first input through y = x * gain[c] + shift[c]: batch
 * normalization. A convolution that only such an op reads can take the map into its weights and bias.
 */
public interface ChannelAffineOp extends Op {

  /**
   * The gain and shift per channel, {@code {gain, shift}}, computed as the forward pass computes them from the
   * inputs apart from the first (null there), or null when the node does not compute a fixed map (a node in
   * training mode).
   */
  float[][] channelAffine(Tensor[] inputs);
}
