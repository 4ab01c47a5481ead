package org.convscope.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.convscope.tensor.Tensor;

/**
 * The gradients of one backward pass, by tensor: as tensors, or held in oneDNN's layout between ops that pass
 * them so ({@link HeldGradientOp}). A held gradient becomes a tensor once something needs one; whatever is still
 * held when the pass ends or fails is freed.
 */
final class Gradients implements AutoCloseable {
  private final Map<String, Tensor> tensors = new HashMap<>();
  private final Map<String, HeldTensor> held = new HashMap<>();

  boolean has(String tensor) {
    return tensors.containsKey(tensor) || held.containsKey(tensor);
  }

  /** The gradient if it is held, else null. */
  HeldTensor held(String tensor) {
    return held.get(tensor);
  }

  /** The gradient as a tensor, made from the held one if need be; null if there is none. */
  Tensor tensor(String tensor) {
    HeldTensor h = held.remove(tensor);
    if (h != null) {
      try (h) {
        tensors.put(tensor, h.toTensor());
      }
    }
    return tensors.get(tensor);
  }

  /**
   * Adds {@code g} to the tensor's gradient: into a new array, never in place, for an op may hand one gradient
   * to several inputs (Add does).
   */
  void add(String tensor, Tensor g) {
    Tensor existing = tensor(tensor);
    if (existing == null) {
      tensors.put(tensor, g);
      return;
    }
    float[] a = existing.data();
    float[] b = g.data();
    float[] sum = new float[a.length];
    Parallel.forEachElement(a.length, (from, to) -> {
      for (int i = from; i < to; i++) sum[i] = a[i] + b[i];
    });
    tensors.put(tensor, Tensor.of(sum, existing.shape()));
  }

  /**
   * Takes {@code g} as the tensor's gradient, held. If it has one already, the two are added: held when that
   * one is held too (two branches of a residual block meeting), else as tensors.
   */
  void hold(String tensor, HeldTensor g) {
    if (!has(tensor)) {
      // A part of another gradient (a Concat's, cut up) is read only as it is added to.
      held.put(tensor, g.owned());
      return;
    }
    try (g) {
      HeldTensor existing = held.get(tensor);
      HeldTensor sum = existing == null ? null : existing.plusInPlace(g);
      if (sum != null) {
        if (sum != existing) {
          held.put(tensor, sum);
          existing.close();
        }
      } else {
        add(tensor, g.toTensor());
      }
    }
  }

  /** Lets go of the tensor's held gradient, unclosed: an op handed it on as its input's gradient. */
  void handOver(String tensor) {
    held.remove(tensor);
  }

  /** Drops the gradients of the node's outputs, except those asked for. */
  void release(Node node, Set<String> wanted) {
    for (String out : node.outputs()) {
      if (wanted.contains(out)) continue;
      tensors.remove(out);
      HeldTensor h = held.remove(out);
      if (h != null) h.close();
    }
  }

  @Override
  public void close() {
    for (HeldTensor h : held.values()) h.close();
    held.clear();
  }
}
