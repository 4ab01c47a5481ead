package org.convscope.engine;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.convscope.tensor.Tensor;

/**
 * The tensors of one forward run: every tensor when the run was recorded for a backward pass, otherwise the
 * graph outputs and the tensors asked to be kept.
 */
public final class Trace {
  private final Map<String, Tensor> values;
  private final boolean recorded;
  private final ExecutionContext context;

  Trace(Map<String, Tensor> values, boolean recorded, ExecutionContext context) {
    this.values = values;
    this.recorded = recorded;
    this.context = context;
  }

  /** The tensor of this name, failing with the names that exist when it was not kept. */
  public Tensor get(String name) {
    Tensor t = values.get(name);
    if (t == null) {
      throw new InvalidInputException("tensor '" + name + "' was not kept by this run"
          + (recorded ? " and does not exist in the graph" : "; ask for it in the forward options"));
    }
    return t;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** Whether every tensor was kept, so that {@link Network#backward} can run from this trace. */
  public boolean isRecorded() {
    return recorded;
  }

  public ExecutionContext context() {
    return context;
  }

  Map<String, Tensor> values() {
    return values;
  }
}
