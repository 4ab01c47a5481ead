package org.convscope.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.convscope.tensor.Tensor;

/**
 * Runs a {@link Graph} forward and backward. Immutable and safe to share between threads: every run keeps
 * its tensors in its own {@link Trace}.
 *
 * <p>The backward pass is reverse-mode differentiation over the nodes in reverse topological order, as in
 * micrograd: each node's op turns its output gradients into input gradients, and gradients reaching a tensor
 * from several consumers are summed. Only gradients on a path to a requested tensor are computed, so asking
 * for the input gradient computes no weight gradients.
 *
 * <p>Runs that record nothing let oneDNN run consecutive convolutions ({@link FusingOp}s) together. A Relu or
 * Clip whose input is a convolution's output and nothing else's is applied by the convolution as it writes
 * (a post-op), and a tensor that only another convolution reads stays in oneDNN's layout between the two (a
 * {@link HeldTensor}). Neither tensor is then written as a Java array, which saves a pass, two copies and two
 * layout conversions. Tensors the run keeps never take part. Every other run computes each tensor as the
 * graph says.
 */
public final class Network {
  private final Graph graph;
  /** For each tensor, the index of the last node reading it, so forward runs can drop it afterwards. */
  private final Map<String, Integer> lastUse = new HashMap<>();
  /**
   * For each node, the index of a Relu or Clip node that is the only reader of its output and that the node
   * can apply itself ({@link FusingOp}), or -1. Used only in runs that record nothing.
   */
  private final int[] fusableClamp;
  /** Tensors whose only reader is a {@link FusingOp} reading them as its first input: they may be held. */
  private final Set<String> holdable = new HashSet<>();
  private final Map<Node, Integer> index = new IdentityHashMap<>();

  public Network(Graph graph) {
    this.graph = graph;
    List<Node> nodes = graph.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      index.put(nodes.get(i), i);
      for (String in : nodes.get(i).inputs()) if (!in.isEmpty()) lastUse.put(in, i);
    }
    fusableClamp = new int[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      fusableClamp[i] = -1;
      for (String out : node.outputs()) {
        List<Node> readers = graph.consumers(out);
        if (readers.size() == 1 && readers.get(0).op() instanceof FusingOp && readers.get(0).input(0).equals(out)) {
          holdable.add(out);
        }
      }
      if (!(node.op() instanceof FusingOp) || node.outputs().size() != 1) continue;
      List<Node> readers = graph.consumers(node.output());
      if (readers.size() != 1 || !(readers.get(0).op() instanceof ClampOp)) continue;
      Node clamp = readers.get(0);
      if (clamp.input(0).equals(node.output()) && clamp.outputs().size() == 1) {
        fusableClamp[i] = index.get(clamp);
      }
    }
  }

  public Graph graph() {
    return graph;
  }

  /** The name of the first (usually only) graph input. */
  public String inputName() {
    if (graph.inputs().isEmpty()) throw new InvalidModelException("the graph has no inputs");
    return graph.inputs().get(0).name();
  }

  /** The name of the first graph output. */
  public String outputName() {
    return graph.outputs().get(0).name();
  }

  /** Runs the graph on one input and returns its first output. */
  public Tensor predict(Tensor input) {
    return forward(Map.of(inputName(), input), ForwardOptions.inference()).get(outputName());
  }

  /** Runs the graph. Feeds are checked against the declared inputs first. */
  public Trace forward(Map<String, Tensor> feeds, ForwardOptions options) {
    checkFeeds(feeds);
    ExecutionContext context = options.training() ? ExecutionContext.training() : ExecutionContext.inference();
    Map<String, Tensor> values = new HashMap<>(graph.initializers());
    values.putAll(feeds);
    Set<String> keep = new HashSet<>(options.keep());
    for (ValueInfo out : graph.outputs()) keep.add(out.name());
    for (String name : options.keep()) {
      if (!graph.hasTensor(name)) throw new InvalidInputException("no tensor named '" + name + "' in the graph");
    }
    List<Node> nodes = graph.nodes();
    boolean[] fusedIntoEarlier = new boolean[nodes.size()];
    Map<String, HeldTensor> held = new HashMap<>();
    try {
      for (int i = 0; i < nodes.size(); i++) {
        if (Thread.currentThread().isInterrupted()) throw new Cancelled();
        Node node = nodes.get(i);
        if (!fusedIntoEarlier[i]) {
          HeldTensor heldInput = node.inputs().isEmpty() ? null : held.remove(node.input(0));
          try {
            run(i, heldInput, values, held, keep, fusedIntoEarlier, options, context);
          } finally {
            if (heldInput != null) heldInput.close();
          }
        }
        if (!options.record()) {
          for (String in : node.inputs()) {
            if (!in.isEmpty() && lastUse.get(in) == i && !keep.contains(in) && !graph.initializers().containsKey(in)) {
              values.remove(in);
            }
          }
        }
      }
    } finally {
      for (HeldTensor h : held.values()) h.close();
    }
    if (!options.record()) {
      values.keySet().retainAll(keep);
    }
    return new Trace(values, options.record(), context);
  }

  private static Tensor[] inputsOf(Node node, Map<String, Tensor> values) {
    Tensor[] inputs = new Tensor[node.inputs().size()];
    for (int j = 0; j < inputs.length; j++) {
      String in = node.inputs().get(j);
      inputs[j] = in.isEmpty() ? null : values.get(in);
    }
    return inputs;
  }

  /**
   * Runs node {@code i}, fused with its neighbours where the run allows it: its first input comes from
   * {@code heldInput} when the previous op held it, a Relu or Clip reading only its output is applied as it
   * writes (and marked in {@code fusedIntoEarlier}), and its result is held when only another fusing op reads it.
   */
  private void run(int i, HeldTensor heldInput, Map<String, Tensor> values, Map<String, HeldTensor> held,
      Set<String> keep, boolean[] fusedIntoEarlier, ForwardOptions options, ExecutionContext context) {
    Node node = graph.nodes().get(i);
    Tensor[] inputs = inputsOf(node, values);
    if (!options.record() && node.op() instanceof FusingOp fusing) {
      int clampIndex = keep.contains(node.output()) ? -1 : fusableClamp[i];
      Node clampNode = clampIndex >= 0 ? graph.nodes().get(clampIndex) : null;
      Clamp clamp = clampNode == null ? null : clampOf(clampNode, values, fusedIntoEarlier, context);
      Node writer = clamp != null ? clampNode : node;
      boolean hold = holdable.contains(writer.output()) && !keep.contains(writer.output());
      FusingOp.Output out = null;
      if (heldInput != null || clamp != null || hold) {
        try {
          out = fusing.forwardFused(context, inputs, heldInput, clamp, hold);
        } catch (RuntimeException e) {
          out = null; // bad inputs, or no oneDNN implementation: the plain run below reports or handles it
        }
      }
      if (out != null) {
        if (clamp != null) fusedIntoEarlier[clampIndex] = true;
        if (out.held() != null) {
          held.put(writer.output(), out.held());
        } else {
          values.put(writer.output(), out.tensor());
        }
        return;
      }
    }
    if (heldInput != null) inputs[0] = heldInput.toTensor();
    Tensor[] outputs = run(node, inputs, context);
    for (int j = 0; j < node.outputs().size() && j < outputs.length; j++) {
      String out = node.outputs().get(j);
      if (!out.isEmpty()) values.put(out, outputs[j]);
    }
  }

  private static Tensor[] run(Node node, Tensor[] inputs, ExecutionContext context) {
    try {
      return node.op().forward(context, inputs);
    } catch (InvalidModelException | InvalidInputException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidModelException(node + " failed on inputs " + describe(inputs) + ": " + e.getMessage(), e);
    }
  }

  /**
   * The clamp a Relu or Clip node computes, or null when its bounds are not known yet or are no plain clamp.
   * PyTorch writes Clip's bounds as Constant nodes between the convolution and the Clip; those run now.
   */
  private Clamp clampOf(Node clampNode, Map<String, Tensor> values, boolean[] fusedIntoEarlier,
      ExecutionContext context) {
    Tensor[] inputs = inputsOf(clampNode, values);
    for (int j = 1; j < inputs.length; j++) {
      if (inputs[j] != null || clampNode.input(j).isEmpty()) continue;
      Node producer = graph.producer(clampNode.input(j));
      if (producer == null || !producer.inputs().isEmpty() || producer.outputs().size() != 1) return null;
      inputs[j] = run(producer, new Tensor[0], context)[0];
      values.put(producer.output(), inputs[j]);
      fusedIntoEarlier[index.get(producer)] = true;
    }
    inputs[0] = null;
    try {
      return ((ClampOp) clampNode.op()).clamp(inputs);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Backward pass from the gradients of a scalar function with respect to some tensors ({@code seeds}: for
   * the gradient of logit k, a one-hot tensor on the logits) to the tensors named in {@code wrt}: the input,
   * any intermediate tensor, or parameters.
   *
   * @return the gradient of each tensor in {@code wrt}, zeros where no gradient reaches it
   */
  public Map<String, Tensor> backward(Trace trace, Map<String, Tensor> seeds, Collection<String> wrt,
      BackwardRules rules) {
    if (!trace.isRecorded()) throw new IllegalArgumentException("the trace was not recorded for a backward pass");
    Map<String, Tensor> values = trace.values();
    for (Map.Entry<String, Tensor> seed : seeds.entrySet()) {
      Tensor t = values.get(seed.getKey());
      if (t == null) throw new InvalidInputException("cannot seed a gradient at '" + seed.getKey() + "': no such tensor");
      if (!Arrays.equals(t.shape(), seed.getValue().shape())) {
        throw new InvalidInputException("gradient seed for '" + seed.getKey() + "' has shape "
            + Arrays.toString(seed.getValue().shape()) + " but the tensor has shape " + Arrays.toString(t.shape()));
      }
    }
    for (String w : wrt) {
      if (!values.containsKey(w)) throw new InvalidInputException("cannot take a gradient with respect to '" + w + "': no such tensor");
    }
    Set<String> leadsToWrt = tensorsLeadingTo(wrt, values);
    Map<String, Tensor> grads = new HashMap<>();
    for (Map.Entry<String, Tensor> seed : seeds.entrySet()) accumulate(grads, seed.getKey(), seed.getValue());
    Set<String> wanted = new HashSet<>(wrt);
    List<Node> nodes = graph.nodes();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (Thread.currentThread().isInterrupted()) throw new Cancelled();
      Node node = nodes.get(i);
      boolean anyGrad = false;
      for (String out : node.outputs()) anyGrad |= grads.containsKey(out);
      if (!anyGrad) continue;
      boolean[] needed = new boolean[node.inputs().size()];
      boolean anyNeeded = false;
      Tensor[] inputs = new Tensor[needed.length];
      for (int j = 0; j < needed.length; j++) {
        String in = node.inputs().get(j);
        if (in.isEmpty()) continue;
        inputs[j] = values.get(in);
        needed[j] = leadsToWrt.contains(in) && inputs[j].isFloat();
        anyNeeded |= needed[j];
      }
      if (!anyNeeded || node.op() instanceof NonDifferentiable) {
        releaseGradients(grads, node, wanted);
        continue;
      }
      Tensor[] outputs = new Tensor[node.outputs().size()];
      Tensor[] outputGrads = new Tensor[outputs.length];
      for (int j = 0; j < outputs.length; j++) {
        String out = node.outputs().get(j);
        outputs[j] = out.isEmpty() ? null : values.get(out);
        Tensor g = grads.get(out);
        outputGrads[j] = g != null ? g : outputs[j] == null ? null : Tensor.zeros(outputs[j].dtype(), outputs[j].shape());
      }
      BackwardRule rule = rules.forOpType(node.opType());
      Tensor[] inputGrads;
      try {
        inputGrads = rule != null
            ? rule.backward(trace.context(), node.op(), inputs, outputs, outputGrads, needed)
            : node.op().backward(trace.context(), inputs, outputs, outputGrads, needed);
      } catch (InvalidModelException | InvalidInputException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new InvalidModelException("backward pass of " + node + " failed: " + e.getMessage(), e);
      }
      releaseGradients(grads, node, wanted);
      for (int j = 0; j < needed.length; j++) {
        if (needed[j] && inputGrads[j] != null) accumulate(grads, node.inputs().get(j), inputGrads[j]);
      }
    }
    Map<String, Tensor> result = new LinkedHashMap<>();
    for (String w : wrt) {
      Tensor g = grads.get(w);
      result.put(w, g != null ? g : Tensor.zeros(values.get(w).shape()));
    }
    return result;
  }

  /** Every tensor from which some tensor in {@code wrt} can be reached, walking the graph backwards. */
  private Set<String> tensorsLeadingTo(Collection<String> wrt, Map<String, Tensor> values) {
    // A tensor needs a gradient if it is wanted or if it feeds a node whose output needs one. Walking the
    // nodes forward: an output "depends on" wrt if any input does; gradients only flow along such paths.
    Set<String> dependsOnWrt = new HashSet<>(wrt);
    for (Node node : graph.nodes()) {
      boolean depends = false;
      for (String in : node.inputs()) depends |= dependsOnWrt.contains(in);
      if (depends) dependsOnWrt.addAll(node.outputs());
    }
    return dependsOnWrt;
  }

  private static void releaseGradients(Map<String, Tensor> grads, Node node, Set<String> wanted) {
    for (String out : node.outputs()) if (!wanted.contains(out)) grads.remove(out);
  }

  /** Sums into a new array, never in place: an op may hand one gradient to several inputs (Add does). */
  private static void accumulate(Map<String, Tensor> grads, String name, Tensor g) {
    Tensor existing = grads.get(name);
    if (existing == null) {
      grads.put(name, g);
      return;
    }
    float[] a = existing.data();
    float[] b = g.data();
    float[] sum = new float[a.length];
    Parallel.forEachElement(a.length, (from, to) -> {
      for (int i = from; i < to; i++) sum[i] = a[i] + b[i];
    });
    grads.put(name, Tensor.of(sum, existing.shape()));
  }

  private void checkFeeds(Map<String, Tensor> feeds) {
    for (String name : feeds.keySet()) {
      if (!graph.isInput(name) && !graph.hasTensor(name)) {
        List<String> names = new ArrayList<>();
        for (ValueInfo v : graph.inputs()) names.add(v.name());
        throw new InvalidInputException("the model has no input named '" + name + "'; its inputs are " + names);
      }
    }
    for (ValueInfo in : graph.inputs()) {
      Tensor t = feeds.get(in.name());
      if (t == null) throw new InvalidInputException("input '" + in.name() + "' " + in.describeShape() + " was not given");
      if (!in.hasShape()) continue;
      int[] dims = in.dims();
      int[] got = t.shape();
      boolean ok = dims.length == got.length;
      for (int i = 0; ok && i < dims.length; i++) ok = dims[i] < 0 || dims[i] == got[i];
      if (!ok) {
        String what = dims.length == 4 && got.length == 4 && dims[1] >= 0 && dims[1] != got[1]
            ? " (" + dims[1] + " channels expected, got " + got[1] + ")" : "";
        throw new InvalidInputException("input '" + in.name() + "' expects shape " + in.describeShape()
            + ", got " + Arrays.toString(got).replace(" ", "") + what);
      }
      if (t.dtype() != in.type()) {
        throw new InvalidInputException("input '" + in.name() + "' expects " + in.type() + " values, got " + t.dtype());
      }
    }
  }

  private static String describe(Tensor[] inputs) {
    StringBuilder sb = new StringBuilder();
    for (Tensor t : inputs) {
      if (sb.length() > 0) sb.append(", ");
      sb.append(t == null ? "-" : Arrays.toString(t.shape()).replace(" ", ""));
    }
    return sb.toString();
  }
}
