package org.convscope.engine.ops;

import java.util.HashSet;
import java.util.Set;
import org.convscope.engine.Activation;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.FusingOp;
import org.convscope.engine.HeldTensor;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.OpRegistry;
import org.convscope.tensor.Tensor;

/** A Conv that counts what its fused runs did, for tests that check which nodes a network fused. */
final class CountingConv implements FusingOp {
  private final Conv conv;
  private final Counts counts;

  /** What the fused runs did since the last {@link #take}. */
  static final class Counts {
    /** Fused runs that applied an activation. */
    int activated;
    int heldIn;
    int heldOut;
    int added;
    int addedHeld;
    int addedConsumable;

    String take() {
      String s = "activated " + activated + ", held in " + heldIn + ", held out " + heldOut;
      activated = heldIn = heldOut = 0;
      return s;
    }

    String takeAdds() {
      String s = "added " + added + " (held " + addedHeld + ", consumable " + addedConsumable + ")";
      added = addedHeld = addedConsumable = 0;
      return s;
    }
  }

  CountingConv(Conv conv, Counts counts) {
    this.conv = conv;
    this.counts = counts;
  }

  /** The standard ops with every Conv counting into {@code counts}. */
  static OpRegistry registry(Counts counts) {
    OpRegistry counting = new OpRegistry();
    for (String type : StandardOps.registry().opTypes()) {
      counting.register(type, spec -> {
        var op = StandardOps.registry().create(spec);
        return op instanceof Conv conv ? new CountingConv(conv, counts) : op;
      });
    }
    return counting;
  }

  @Override
  public Output forwardFused(ExecutionContext context, Tensor[] inputs, HeldTensor heldInput, Addend addend,
      Activation activation, boolean holdOutput) {
    boolean consumable = addend != null && addend.consumable();
    boolean addendHeld = addend != null && addend.held() != null;
    Output out = conv.forwardFused(context, inputs, heldInput, addend, activation, holdOutput);
    if (out != null) {
      if (activation != null) counts.activated++;
      if (heldInput != null) counts.heldIn++;
      if (out.held() != null) counts.heldOut++;
      if (addend != null) counts.added++;
      if (addendHeld) counts.addedHeld++;
      if (consumable) counts.addedConsumable++;
    }
    return out;
  }

  @Override
  public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
    return conv.forward(context, inputs);
  }

  @Override
  public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
      boolean[] needed) {
    return conv.backward(context, inputs, outputs, outputGrads, needed);
  }

  /**
   * A recorded run that keeps every tensor. Kept tensors are never fused, so this is the plain run that fused
   * runs are checked against.
   */
  static ForwardOptions unfused(Network net) {
    Set<String> all = new HashSet<>();
    for (Node node : net.graph().nodes()) all.addAll(node.outputs());
    all.remove("");
    return new ForwardOptions(all, true, false);
  }
}
