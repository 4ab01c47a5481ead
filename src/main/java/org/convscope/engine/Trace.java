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
  /** What the run was recorded for gradients to, and the tensors downstream of them; null for all. */
  private final Set<String> gradientsFor;
  private final Set<String> differentiable;
  private final ExecutionContext context;

  Trace(Map<String, Tensor> values, boolean recorded, Set<String> gradientsFor, Set<String> differentiable,
      ExecutionContext context) {
    this.values = values;
    this.recorded = recorded;
    this.gradientsFor = gradientsFor;
    this.differentiable = differentiable;
    this.context = context;
  }

  /** The tensor of this name, failing with the names that exist when it was not kept. */
  public Tensor get(String name) {
    Tensor t = values.get(name);
    if (t == null) {
      throw new InvalidInputException("tensor '" + name + "' was not kept by this run"
          + (isRecordedForAll() ? " and does not exist in the graph" : "; ask for it in the forward options"));
    }
    return t;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** Whether the run was recorded, so that {@link Network#backward} can run from this trace. */
  public boolean isRecorded() {
    return recorded;
  }

  /** Whether every tensor was kept, so that a backward pass may take gradients with respect to any of them. */
  public boolean isRecordedForAll() {
    return recorded && differentiable == null;
  }

  /** Whether a backward pass from this trace can take the gradient with respect to {@code tensor}. */
  public boolean allowsGradientFor(String tensor) {
    return recorded && (differentiable == null || differentiable.contains(tensor));
  }

  /** The tensors the run was recorded for gradients to ({@link ForwardOptions#gradientsFor}); empty for any. */
  public Set<String> gradientsFor() {
    return differentiable == null ? Set.of() : gradientsFor;
  }

  public ExecutionContext context() {
    return context;
  }

  Map<String, Tensor> values() {
    return values;
  }
}
