package org.convscope.engine;

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
