package org.convscope.engine;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.convscope.tensor.Tensor;

/**
 * Per-run state passed to every op: whether the network is training, and the state updates that training
 * mode produces (BatchNormalization's running statistics), which the trainer applies after the step.
 * One context belongs to one run on one thread.
 */
public final class ExecutionContext {
  private final boolean training;
  private final ArrayPool arrays;
  private final Map<Tensor, float[]> stateUpdates = new IdentityHashMap<>();
  /** Inputs that ops kept outside the Java heap in the forward pass, for their backward pass (see {@link #keep}). */
  private final Map<Kept, HeldTensor> kept = new HashMap<>();

  /** An op and one of its input tensors, both by identity. */
  private record Kept(Object op, Tensor input) {}

  private ExecutionContext(boolean training, ArrayPool arrays) {
    this.training = training;
    this.arrays = arrays;
  }

  public static ExecutionContext inference() {
    return new ExecutionContext(false, null);
  }

  public static ExecutionContext training() {
    return new ExecutionContext(true, null);
  }

  /** A training run whose ops take their large outputs from {@code arrays} (none when null). */
  public static ExecutionContext training(ArrayPool arrays) {
    return new ExecutionContext(true, arrays);
  }

  /**
   * An array for an op's output that the op writes in full: from the run's {@link ArrayPool}, so of unspecified
   * contents, or a new one when the run has none.
   */
  public float[] outputArray(int length) {
    return arrays == null ? new float[length] : arrays.take(length);
  }

  public boolean isTraining() {
    return training;
  }

  /**
   * Whether ops may {@link #keep} native copies of their inputs for the backward pass: in training steps whose
   * owner calls {@link #endStep}, which frees what the backward pass did not take.
   */
  public boolean keepsInputs() {
    return arrays != null;
  }

  /** Keeps {@code held}, the native copy of {@code op}'s {@code input}, until the op takes it or the step ends. */
  public void keep(Object op, Tensor input, HeldTensor held) {
    HeldTensor before = kept.put(new Kept(op, input), held);
    if (before != null) before.close();
  }

  /** What {@code op} kept of {@code input}, or null; the caller then owns it and closes it. */
  public HeldTensor takeKept(Object op, Tensor input) {
    return kept.remove(new Kept(op, input));
  }

  /** Frees the inputs kept for a backward pass that did not take them; on the thread that ran the step. */
  public void endStep() {
    for (HeldTensor h : kept.values()) h.close();
    kept.clear();
  }

  /** Records that a state tensor (a parameter of the graph) should take {@code newValues} after this step. */
  public void updateState(Tensor state, float[] newValues) {
    stateUpdates.put(state, newValues);
  }

  /** Writes the recorded state updates into their tensors. */
  public void applyStateUpdates() {
    for (Map.Entry<Tensor, float[]> e : stateUpdates.entrySet()) {
      float[] target = e.getKey().data();
      System.arraycopy(e.getValue(), 0, target, 0, target.length);
      e.getKey().markModified();
    }
    stateUpdates.clear();
  }
}
