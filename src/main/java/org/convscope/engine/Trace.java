package org.convscope.engine;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.tensor.Tensor;

/**
 * The tensors of one forward run: every tensor when the run was recorded for a backward pass, otherwise the
 * graph outputs and the tensors asked to be kept.
 */
public final class Trace {
  private final Network network;
  private final Map<String, Tensor> values;
  /** Tensors a fused recorded run skipped, with the index of the node that computes them on demand. */
  private final Map<String, Integer> skipped;
  private final boolean recorded;
  /** What the run was recorded for gradients to, and the tensors downstream of them; null for all. */
  private final Set<String> gradientsFor;
  private final Set<String> differentiable;
  private final ExecutionContext context;

  Trace(Network network, Map<String, Tensor> values, Map<String, Integer> skipped, boolean recorded,
      Set<String> gradientsFor, Set<String> differentiable, ExecutionContext context) {
    this.network = network;
    this.values = values;
    this.skipped = skipped;
    this.recorded = recorded;
    this.gradientsFor = gradientsFor;
    this.differentiable = differentiable;
    this.context = context;
  }

  /**
   * The tensor of this name, failing with the names that exist when it was not kept. A tensor that a fused
   * recorded run skipped is computed now, from the tensors it was computed from, and kept.
   */
  public synchronized Tensor get(String name) {
    Tensor t = values.get(name);
    Integer producer = t == null ? skipped.get(name) : null;
    if (producer != null) {
      Tensor[] outputs = network.recompute(this, producer);
      List<String> names = network.graph().nodes().get(producer).outputs();
      for (int j = 0; j < names.size() && j < outputs.length; j++) {
        if (!names.get(j).isEmpty()) values.put(names.get(j), outputs[j]);
      }
      t = values.get(name);
    }
    if (t == null) {
      throw new InvalidInputException("tensor '" + name + "' was not kept by this run"
          + (isRecordedForAll() ? " and does not exist in the graph" : "; ask for it in the forward options"));
    }
    return t;
  }

  public synchronized boolean has(String name) {
    return values.containsKey(name) || skipped.containsKey(name);
  }

  public synchronized Set<String> names() {
    Set<String> names = new HashSet<>(values.keySet());
    names.addAll(skipped.keySet());
    return Collections.unmodifiableSet(names);
  }

  /** The tensor if the run stored it, else null: never recomputes. For the backward pass. */
  synchronized Tensor stored(String name) {
    return values.get(name);
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

}
