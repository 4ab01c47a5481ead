package org.convscope.engine;

import java.lang.ref.Cleaner;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.tensor.Tensor;

/**
 * The tensors of one forward run: every tensor when the run was recorded for a backward pass, otherwise the
 * graph outputs and the tensors asked to be kept.
 *
 * <p>A recorded run leaves the activations between convolutions in oneDNN's layout, in native
 * memory, where the backward pass reads them as they are; {@link #get} makes a Java tensor of one when asked.
 * {@link #close} frees that memory (the garbage collector does too, later); a tensor asked for after that is
 * computed again from the tensors it came from.
 */
public final class Trace implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  private final Network network;
  private final Map<String, Tensor> values;
  /** Tensors a fused recorded run skipped, with the index of the node that computes them on demand. */
  private final Map<String, Integer> skipped;
  private final boolean recorded;
  /** What the run was recorded for gradients to, and the tensors downstream of them; null for all. */
  private final Set<String> gradientsFor;
  private final Set<String> differentiable;
  private final ExecutionContext context;
  /** Tensors left held, until {@link #close}; each is also in {@code skipped}, to be computed again after. */
  private final HeldValues held;
  private final Cleaner.Cleanable cleanable;

  /** The held tensors, apart from the trace, so that the cleaner can free them once the trace is unreachable. */
  private static final class HeldValues implements Runnable {
    final Map<String, HeldTensor> tensors;

    HeldValues(Map<String, HeldTensor> tensors) {
      this.tensors = tensors;
    }

    @Override
    public synchronized void run() {
      for (HeldTensor h : tensors.values()) h.close();
      tensors.clear();
    }
  }

  /** {@code held}: tensors left held, which must also be in {@code skipped}; the trace owns them. */
  Trace(Network network, Map<String, Tensor> values, Map<String, HeldTensor> held, Map<String, Integer> skipped,
      boolean recorded, Set<String> gradientsFor, Set<String> differentiable, ExecutionContext context) {
    this.network = network;
    this.values = values;
    this.held = new HeldValues(new HashMap<>(held));
    this.cleanable = held.isEmpty() ? null : CLEANER.register(this, this.held);
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
    HeldTensor h = t == null ? held(name) : null;
    if (h != null) {
      t = h.toTensor();
      values.put(name, t);
    }
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

  /** The tensor if the run left it held and the trace is open, else null. For the backward pass. */
  HeldTensor held(String name) {
    synchronized (held) {
      return held.tensors.get(name);
    }
  }

  /**
   * Frees the tensors the run left in native memory. The trace stays usable: a tensor not yet read as a Java
   * tensor is computed again when asked for.
   */
  @Override
  public void close() {
    if (cleanable != null) cleanable.clean();
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
