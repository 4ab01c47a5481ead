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
  /** Whether the run is recorded for a backward pass (see {@link #recording}). */
  private final boolean recorded;
  private final ArrayPool arrays;
  private final Map<Tensor, float[]> stateUpdates = new IdentityHashMap<>();
  /**
   * What ops kept in the forward pass for their backward pass (see {@link #keep}): native copies of inputs,
   * batch statistics, pooling masks.
   */
  private final Map<Kept, AutoCloseable> kept = new HashMap<>();

  /** An op and one of its inputs (a tensor or a held tensor), both by identity. */
  private record Kept(Object op, Object input) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Kept k && k.op == op && k.input == input;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(op) * 31 + System.identityHashCode(input);
    }
  }

  private ExecutionContext(boolean training, boolean recorded, ArrayPool arrays) {
    this.training = training;
    this.recorded = recorded;
    this.arrays = arrays;
  }

  public static ExecutionContext inference() {
    return new ExecutionContext(false, false, null);
  }

  /**
   * An inference run recorded for a backward pass (explanations): ops may {@link #keepForBackward} what their
   * backward pass would otherwise compute again.
   */
  public static ExecutionContext recording() {
    return new ExecutionContext(false, true, null);
  }

  public static ExecutionContext training() {
    return new ExecutionContext(true, true, null);
  }

  /** A training run whose ops take their large outputs from {@code arrays} (none when null). */
  public static ExecutionContext training(ArrayPool arrays) {
    return new ExecutionContext(true, true, arrays);
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

  /** Whether a backward pass will follow this run: a training step or a recorded inference run. */
  public boolean isRecorded() {
    return recorded;
  }

  /**
   * Keeps a Java tensor that {@code op}'s backward passes of its run on {@code input} will need, in a recorded
   * run (nothing is kept otherwise), for as long as the run's trace lives; {@link #keptTensor} hands it back.
   */
  public void keepForBackward(Object op, Object input, Tensor tensor) {
    if (recorded) keep(op, input, new KeptTensor(tensor));
  }

  /** What {@link #keepForBackward} kept for {@code op} and {@code input}, or null. */
  public Tensor keptTensor(Object op, Object input) {
    return kept.get(new Kept(op, input)) instanceof KeptTensor k ? k.tensor() : null;
  }

  /** A Java tensor kept for a backward pass: nothing to free. */
  private record KeptTensor(Tensor tensor) implements AutoCloseable {
    @Override
    public void close() {}
  }

  /**
   * Whether ops may {@link #keep} what their backward pass needs: in training steps whose owner calls
   * {@link #endStep}, which frees what the backward pass did not take.
   */
  public boolean keepsInputs() {
    return arrays != null;
  }

  /**
   * Keeps {@code state}, what {@code op}'s backward pass will need of its run on {@code input} (a tensor or a
   * held tensor, by identity), until the op takes it or the step ends.
   */
  public void keep(Object op, Object input, AutoCloseable state) {
    close(kept.put(new Kept(op, input), state));
  }

  /** What {@code op} kept for {@code input}, or null; the caller then owns it and closes it. */
  public <T extends AutoCloseable> T takeKept(Object op, Object input, Class<T> type) {
    Kept key = new Kept(op, input);
    AutoCloseable state = kept.get(key);
    if (!type.isInstance(state)) return null;
    kept.remove(key);
    return type.cast(state);
  }

  /** Frees what was kept for a backward pass that did not take it; on the thread that ran the step. */
  public void endStep() {
    for (AutoCloseable state : kept.values()) close(state);
    kept.clear();
  }

  private static void close(AutoCloseable state) {
    if (state == null) return;
    try {
      state.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not free what an op kept for its backward pass", e);
    }
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
