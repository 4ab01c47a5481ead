package org.convscope.engine.ops;

import org.convscope.engine.Activation;
import org.convscope.engine.FusingOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.dnnl.BlockedTensor;
import org.convscope.engine.dnnl.Plan;
import org.convscope.engine.dnnl.Pooling;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * The fused run MaxPool, AveragePool and GlobalAveragePool share ({@link FusingOp#forwardFused}): oneDNN
 * pools the held or row-major input, applies an activation as it writes, and may leave the output held. It adds no
 * addend (an Add after a pooling stays an op of its own).
 */
final class FusedPooling {
  private FusedPooling() {}

  /** The fused run with {@code geometry}, or null when it is null (oneDNN cannot pool so) or the run cannot be fused. */
  static FusingOp.Output run(Pooling.Geometry geometry, Tensor[] inputs, HeldTensor heldInput, FusingOp.Addend addend,
      Activation activation, boolean holdOutput) {
    if (geometry == null || addend != null) return null;
    if (heldInput != null ? !(heldInput instanceof BlockedTensor) : !inputs[0].isFloat()) return null;
    for (long d : geometry.dst()) if (d == 0) return null;
    Plan.Chained out = Pooling.forward(geometry, heldInput == null ? inputs[0].data() : null,
        (BlockedTensor) heldInput, activation, holdOutput);
    if (holdOutput) return new FusingOp.Output(null, out.held());
    return new FusingOp.Output(Tensor.of(out.values()[0], Shapes.toInts(geometry.dst())), null);
  }

  /** The input's shape, held or not. */
  static int[] inputShape(Tensor[] inputs, HeldTensor heldInput) {
    return heldInput != null ? heldInput.shape() : inputs[0].shape();
  }
}
