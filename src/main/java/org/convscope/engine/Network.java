package org.convscope.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
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
 * <p>Runs let oneDNN run convolutions, poolings and, in training, batch norms ({@link FusingOp}s) together with
 * their neighbours. An Add whose other operand is already computed and that is the only reader of a convolution's
 * output (a residual connection) is done by the convolution as it writes, and so is an activation that is the
 * only reader of the op's (or that Add's) output, or a SiLU or HardSwish written as Mul(x, Sigmoid(x)) or
 * Mul(x, HardSigmoid(x)) (post-ops). A tensor that such an op writes stays in oneDNN's layout (a
 * {@link HeldTensor}) when another reads it as its first input or a fused Add adds it, or when it is the tensor
 * a squeeze-and-excitation block scales (a Mul by factors computed from it through a GlobalAveragePool), which
 * oneDNN then multiplies held, leaving the product held too. A reader that cannot take a tensor held gets it
 * as an array, made once for all such readers, and it is freed after its last reader. Tensors the run keeps
 * never take part, and a training run never folds a batch norm into its convolution: it normalizes by the
 * batch's statistics. A recorded run keeps the tensors it holds in its trace, for the backward pass.
 *
 * <p>A Mul of a tensor by an activation of it that only the Mul reads, x * f(x) (SiLU, HardSwish as PyTorch
 * exports them), runs in one pass through f's {@link GatingOp}, unless the run keeps f(x), and so
 * does its backward pass whenever nothing asks for f(x)'s own gradient.
 *
 * <p>A group of nodes that a {@link CompositeAnchor} recognizes (GELU or layer norm as older exports spell them, a
 * Linear layer's MatMul, bias Add and GELU) runs as one op, forward unless the run keeps a tensor inside it and
 * backward whenever nothing needs one; the tensors inside are computed when asked for. The run's
 * {@link ExecutionContext} says whether it is recorded for all gradients, when such an op may keep what its
 * backward pass needs.
 *
 * <p>The backward pass hands a gradient from one {@link HeldGradientOp} (a convolution, Relu, Clip, Add, and in
 * training a batch norm or max pooling) to the next held, in oneDNN's layout, and adds held the gradients that
 * meet at a tensor read twice: a saliency map's pass through MobileNetV2's or ResNet's convolutions, clamps and
 * residual blocks, or a training step's through convolution, batch norm, ReLU and pooling, is then oneDNN's
 * kernels alone, without copies to Java arrays and reorders to row-major between every two ops.
 *
 * <p>A run recorded for gradients with respect to some tensors only ({@link ForwardOptions#gradientsFor}), such
 * as Grad-CAM's layer, records just the nodes downstream of them and runs everything before them that way too.
 */
public final class Network {
  private final Graph graph;
  /** For each tensor, the index of the last node reading it, so forward runs can drop it afterwards. */
  private final Map<String, Integer> lastUse = new HashMap<>();
  /** For each tensor, the indices of the nodes reading it (a node twice if it reads it twice). */
  private final Map<String, List<Integer>> readers = new HashMap<>();
  /** For each node, what it absorbs in runs that record nothing when it is a {@link FusingOp}. */
  private final Fusion[] fusions;
  /** Tensors a {@link FusingOp} writes that some reader can take held (see {@link #canReadHeld}). */
  private final Set<String> holdable = new HashSet<>();
  /** For each Add node a {@link FusingOp} can run, the operand it adds. */
  private final Map<Integer, String> fusedAddends = new HashMap<>();
  /** The Add and activation nodes whose outputs a {@link FusingOp} can write as it runs (see {@link #mayBeHeld}). */
  private final Set<Integer> fusedWriters = new HashSet<>();
  /**
   * For each Mul node of a squeeze-and-excitation block, which operand it scales (by factors computed from that
   * operand): the one it can take held ({@link HeldTensor#timesPerChannel}).
   */
  private final Map<Integer, Integer> channelScales = new HashMap<>();
  /** The Mul nodes that scale a tensor by a constant (ConvNeXt's layer scale), see {@link #readsGradientHeld}. */
  private final Set<Integer> constantScales = new HashSet<>();
  /** For each Mul node computing x * f(x) through a {@link GatingOp} f, the index of f's node. */
  private final Map<Integer, Integer> gatedProducts = new HashMap<>();
  /** The indices of those f nodes. */
  private final Set<Integer> gates = new HashSet<>();
  /** Groups of nodes that one op computes ({@link CompositeAnchor}), by the index of their last node. */
  private final Map<Integer, CompositeAnchor.Composite> composites = new HashMap<>();
  /** For each node of such a group but the last, the index of the last. */
  private final Map<Integer, Integer> compositeOf = new HashMap<>();
  private final Map<Node, Integer> index = new IdentityHashMap<>();

  /** For Conv nodes whose batch norm is folded in, the folded weights and bias, while their sources last. */
  private final Map<Integer, FoldedParameters> folded = new ConcurrentHashMap<>();

  /**
   * The nodes a {@link FusingOp} node can run itself: a batch norm (index {@code batchNorm}, or -1) reading a
   * Conv's output, folded into its weights; then an Add (index {@code add}, or -1) adding {@code addend} to
   * that output, and an activation reading it or the Add's (or null).
   */
  private record Fusion(int batchNorm, int add, String addend, Activating activating) {
    static final Fusion NONE = new Fusion(-1, -1, null, null);
  }

  /**
   * The nodes of an activation a {@link FusingOp} applies as it writes: an {@link ActivationOp} (index
   * {@code node}, {@code gate} -1), or a Mul (index {@code node}) of the tensor by a Sigmoid or HardSigmoid of
   * it (index {@code gate}), which is SiLU or HardSwish as PyTorch exports them.
   */
  private record Activating(int node, int gate) {}

  /** A Conv's weights and bias with a batch norm folded in, and the tensors (and versions) they came from. */
  private record FoldedParameters(Tensor[] sources, long[] versions, Tensor weights, Tensor bias) {
    boolean from(Tensor[] tensors) {
      for (int k = 0; k < tensors.length; k++) {
        if (tensors[k] != sources[k] || (tensors[k] != null && tensors[k].version() != versions[k])) return false;
      }
      return true;
    }
  }

  public Network(Graph graph) {
    this.graph = graph;
    List<Node> nodes = graph.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      index.put(nodes.get(i), i);
      for (String in : nodes.get(i).inputs()) {
        if (in.isEmpty()) continue;
        lastUse.put(in, i);
        readers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
      }
    }
    fusions = new Fusion[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      fusions[i] = fusionOf(i);
      if (fusions[i].add() >= 0) {
        fusedAddends.put(fusions[i].add(), fusions[i].addend());
        fusedWriters.add(fusions[i].add());
      }
      if (fusions[i].activating() != null) fusedWriters.add(fusions[i].activating().node());
      int scaled = scaledOperand(nodes.get(i));
      if (scaled >= 0) channelScales.put(i, scaled);
      if (scalesByConstant(nodes.get(i))) constantScales.add(i);
      int gate = gateOf(nodes.get(i));
      if (gate >= 0) {
        gatedProducts.put(i, gate);
        gates.add(gate);
      }
    }
    findComposites();
    // Outputs of ops that oneDNN can run on held inputs (a composite's output when it runs as one op), from the
    // last node back: one such op reads a tensor held only when its own output stays held for a reader.
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (compositeOf.containsKey(i)) continue;
      CompositeAnchor.Composite c = composites.get(i);
      Op op = c != null ? c.op() : nodes.get(i).op();
      String out = nodes.get(i).output();
      if (op instanceof HeldForwardOp && graph.consumers(out).stream().anyMatch(r -> canReadHeld(r, out))) {
        holdable.add(out);
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (!(nodes.get(i).op() instanceof FusingOp)) continue;
      Fusion f = fusions[i];
      int produced = f.batchNorm() >= 0 ? f.batchNorm() : i;
      Node writer = nodes.get(f.activating() != null ? f.activating().node() : f.add() >= 0 ? f.add() : produced);
      for (Node w : new Node[] {nodes.get(i), nodes.get(produced), writer}) {
        String out = w.output();
        if (graph.consumers(out).stream().anyMatch(r -> canReadHeld(r, out))) holdable.add(out);
      }
    }
    // Squeeze-and-excitation products and gated products (x * f(x)) oneDNN computes on held operands.
    Set<Integer> heldProducts = new HashSet<>(channelScales.keySet());
    heldProducts.addAll(gatedProducts.keySet());
    for (int i : heldProducts) {
      String out = nodes.get(i).output();
      if (graph.consumers(out).stream().anyMatch(r -> canReadHeld(r, out))) holdable.add(out);
    }
  }

  /**
   * The groups {@link CompositeAnchor}s find, except those that share a node with another group, a fusion or a
   * gated product, or whose inner tensors something outside the group reads.
   */
  private void findComposites() {
    Set<Integer> taken = new HashSet<>(gates);
    taken.addAll(gatedProducts.keySet());
    taken.addAll(channelScales.keySet());
    for (Fusion f : fusions) {
      taken.add(f.batchNorm());
      taken.add(f.add());
      if (f.activating() != null) {
        taken.add(f.activating().node());
        taken.add(f.activating().gate());
      }
    }
    Set<String> outputs = new HashSet<>();
    for (ValueInfo out : graph.outputs()) outputs.add(out.name());
    for (Node node : graph.nodes()) {
      if (!(node.op() instanceof CompositeAnchor anchor)) continue;
      CompositeAnchor.Composite c = anchor.composite(graph, node, this::constantValue);
      if (c == null) continue;
      int last = index.get(c.last());
      Set<Node> members = Collections.newSetFromMap(new IdentityHashMap<>());
      members.addAll(c.nodes());
      boolean separate = !composites.containsKey(last);
      for (Node n : c.nodes()) {
        int k = index.get(n);
        separate &= k <= last && !taken.contains(k) && !compositeOf.containsKey(k) && n.outputs().size() == 1;
        if (n == c.last()) continue;
        separate &= !outputs.contains(n.output()) && members.containsAll(graph.consumers(n.output()));
      }
      if (!separate) continue;
      composites.put(last, c);
      for (Node n : c.nodes()) if (n != c.last()) compositeOf.put(index.get(n), last);
      for (String in : c.inputs()) lastUse.merge(in, last, Math::max); // read at the last node
    }
  }

  /**
   * A tensor's value when it is an initializer or the output of a node without inputs (Constant), or an Identity
   * of one (torch.onnx shares equal initializers that way), else null.
   */
  private Tensor constantValue(String name) {
    Tensor t = graph.initializers().get(name);
    if (t != null) return t;
    Node producer = graph.producer(name);
    if (producer != null && producer.opType().equals("Identity") && producer.inputs().size() == 1) {
      return constantValue(producer.input(0));
    }
    if (producer == null || !producer.inputs().isEmpty() || producer.outputs().size() != 1) return null;
    try {
      return producer.op().forward(ExecutionContext.inference(), new Tensor[0])[0];
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Whether a run keeping {@code keep} computes group {@code c} as one op: when it keeps none of its inner tensors. */
  private static boolean runsWhole(CompositeAnchor.Composite c, Set<String> keep) {
    for (Node n : c.nodes()) if (n != c.last() && keep.contains(n.output())) return false;
    return true;
  }

  private Fusion fusionOf(int i) {
    Node node = graph.nodes().get(i);
    if (!(node.op() instanceof FusingOp) || node.outputs().size() != 1) return Fusion.NONE;
    int batchNorm = foldableBatchNorm(node);
    String out = batchNorm >= 0 ? graph.nodes().get(batchNorm).output() : node.output();
    Activating activating = activationReading(out);
    if (activating != null) return new Fusion(batchNorm, -1, null, activating);
    List<Node> outReaders = graph.consumers(out);
    if (outReaders.size() != 1) return new Fusion(batchNorm, -1, null, null);
    Node add = outReaders.get(0);
    // Add is commutative: the convolution's output may be either operand.
    if (!add.opType().equals("Add") || add.inputs().size() != 2 || add.outputs().size() != 1
        || add.input(0).equals(add.input(1))) {
      return new Fusion(batchNorm, -1, null, null);
    }
    String addend = add.input(0).equals(out) ? add.input(1) : add.input(0);
    Node producer = graph.producer(addend);
    if (addend.isEmpty() || producer != null && index.get(producer) > i) { // not computed yet when the conv runs
      return new Fusion(batchNorm, -1, null, null);
    }
    return new Fusion(batchNorm, index.get(add), addend, activationReading(add.output()));
  }

  /**
   * The index of a batch norm that is the only reader of Conv node {@code conv}'s output and whose parameters
   * are initializers, or -1. ConvTranspose is left out: its weights put output channels second.
   */
  private int foldableBatchNorm(Node conv) {
    List<Node> outReaders = graph.consumers(conv.output());
    if (!conv.opType().equals("Conv") || outReaders.size() != 1) return -1;
    Node bn = outReaders.get(0);
    if (!(bn.op() instanceof ChannelAffineOp) || !bn.input(0).equals(conv.output()) || bn.outputs().size() != 1
        || bn.inputs().size() != 5) {
      return -1;
    }
    for (int j = 1; j < 5; j++) if (!graph.initializers().containsKey(bn.input(j))) return -1;
    return index.get(bn);
  }

  /**
   * The activation of {@code tensor} that the op writing it can apply, or null: an {@link ActivationOp} that is
   * its only reader; or a gate (an activation of it) and a Mul of it by the gate, its only two readers, where
   * the Mul is the gate's only reader. Whether the gate has a form oneDNN can apply is known only at run time
   * ({@link Activation#timesInput}).
   */
  private Activating activationReading(String tensor) {
    List<Node> outReaders = graph.consumers(tensor);
    if (outReaders.size() == 1) {
      return activationOf(outReaders.get(0), tensor) ? new Activating(index.get(outReaders.get(0)), -1) : null;
    }
    if (outReaders.size() != 2 || outReaders.get(0) == outReaders.get(1)) return null;
    for (int k = 0; k < 2; k++) {
      Node gate = outReaders.get(k);
      Node mul = outReaders.get(1 - k);
      List<Node> gateReaders = graph.consumers(gate.output());
      if (activationOf(gate, tensor) && gateReaders.size() == 1 && gateReaders.get(0) == mul
          && mul.opType().equals("Mul") && mul.inputs().size() == 2 && mul.outputs().size() == 1
          && mul.inputs().contains(tensor) && mul.inputs().contains(gate.output())) {
        return new Activating(index.get(mul), index.get(gate));
      }
    }
    return null;
  }

  /** Whether {@code node} is an activation of {@code tensor}, its first input. */
  private static boolean activationOf(Node node, String tensor) {
    return node.op() instanceof ActivationOp && node.input(0).equals(tensor) && node.outputs().size() == 1;
  }

  /**
   * For a Mul that scales a tensor by factors computed from it through a GlobalAveragePool (the excitation of a
   * squeeze-and-excitation block), which operand is that tensor; else -1. Whether the factors are one per
   * channel is known only at run time.
   */
  private int scaledOperand(Node mul) {
    if (!mul.opType().equals("Mul") || mul.inputs().size() != 2 || mul.outputs().size() != 1
        || mul.input(0).equals(mul.input(1))) {
      return -1;
    }
    for (int j = 0; j < 2; j++) {
      String x = mul.input(j);
      for (Node pool : graph.consumers(x)) {
        if (pool.opType().equals("GlobalAveragePool") && pool.input(0).equals(x)
            && dependsOn(mul.input(1 - j), pool.output())) {
          return j;
        }
      }
    }
    return -1;
  }

  /**
   * For a Mul of a tensor x by f(x), where f is a {@link GatingOp} node that only this Mul reads, the index of
   * f's node; else -1.
   */
  private int gateOf(Node mul) {
    if (!mul.opType().equals("Mul") || mul.inputs().size() != 2 || mul.outputs().size() != 1
        || mul.input(0).equals(mul.input(1))) {
      return -1;
    }
    for (int j = 0; j < 2; j++) {
      Node gate = graph.producer(mul.input(1 - j));
      if (gate != null && gate.op() instanceof GatingOp && gate.outputs().size() == 1
          && gate.input(0).equals(mul.input(j)) && graph.consumers(gate.output()).size() == 1) {
        return index.get(gate);
      }
    }
    return -1;
  }

  /** Whether {@code node} is a Mul of a tensor by a constant (factors it may take per channel). */
  private boolean scalesByConstant(Node node) {
    return node.opType().equals("Mul") && node.inputs().size() == 2
        && (constantValue(node.input(0)) != null) != (constantValue(node.input(1)) != null);
  }

  /** Whether tensor {@code a} is computed from tensor {@code b} (or is it), walking the graph back from a. */
  private boolean dependsOn(String a, String b) {
    Set<String> seen = new HashSet<>();
    List<String> todo = new ArrayList<>(List.of(a));
    while (!todo.isEmpty()) {
      String t = todo.remove(todo.size() - 1);
      if (t.equals(b)) return true;
      Node producer = graph.producer(t);
      if (producer == null || !seen.add(t)) continue;
      for (String in : producer.inputs()) if (!in.isEmpty()) todo.add(in);
    }
    return false;
  }

  /**
   * Whether node {@code i}, or the composite it belongs to, is a {@link HeldForwardOp} that takes {@code tensor}
   * held and leaves its output held (a reader takes that held).
   */
  private boolean readsHeldForward(int i, String tensor) {
    Integer last = compositeOf.get(i);
    CompositeAnchor.Composite c = composites.get(last != null ? last : i);
    Op op = c != null ? c.op() : graph.nodes().get(i).op();
    List<String> inputs = c != null ? c.inputs() : graph.nodes().get(i).inputs();
    Node writer = c != null ? c.last() : graph.nodes().get(i);
    if (!(op instanceof HeldForwardOp h) || !holdable.contains(writer.output())) return false;
    boolean[] mayBeHeld = new boolean[inputs.size()];
    Tensor[] constants = new Tensor[inputs.size()];
    for (int j = 0; j < inputs.size(); j++) {
      String in = inputs.get(j);
      if (in.isEmpty()) continue;
      constants[j] = constantValue(in);
      mayBeHeld[j] = constants[j] == null && mayBeHeld(in);
    }
    for (int j = 0; j < inputs.size(); j++) {
      if (inputs.get(j).equals(tensor) && h.readsHeld(j, mayBeHeld, constants)) return true;
    }
    return false;
  }

  /**
   * Whether a run may leave {@code tensor} held: its producer, or its composite, is run by oneDNN so, or it is
   * an Add or activation that a fusing op before it computes as it writes.
   */
  private boolean mayBeHeld(String tensor) {
    Node producer = graph.producer(tensor);
    if (producer == null) return false;
    int p = index.get(producer);
    CompositeAnchor.Composite c = composites.get(p);
    Op op = c != null ? c.op() : producer.op();
    return op instanceof FusingOp || op instanceof HeldForwardOp || fusedWriters.contains(p);
  }

  /**
   * Whether {@code reader} can take {@code tensor} held: a fusing op's first input, a fused Add's addend, either
   * operand of a squeeze-and-excitation Mul, or the x of a gated product x * f(x) (its gate or its Mul).
   */
  private boolean canReadHeld(Node reader, String tensor) {
    int i = index.get(reader);
    Integer scaled = channelScales.get(i);
    Integer gate = gatedProducts.get(i);
    return readsHeldForward(i, tensor)
        || reader.op() instanceof FusingOp && reader.input(0).equals(tensor)
        || reader.op() instanceof PermutingOp && reader.input(0).equals(tensor)
        || tensor.equals(fusedAddends.get(i))
        || scaled != null && reader.inputs().contains(tensor)
        || gates.contains(i) && reader.input(0).equals(tensor)
        || gate != null && graph.nodes().get(gate).input(0).equals(tensor);
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
    // A run recorded for gradients to some tensors only runs every composite on their path node by node (it keeps
    // the tensors inside), so only a run recorded for all gradients lets composites keep what they need.
    ExecutionContext context = options.training() ? ExecutionContext.training(options.arrays())
        : options.record() && options.gradientsFor().isEmpty() ? ExecutionContext.recording()
        : ExecutionContext.inference();
    Map<String, Tensor> values = new HashMap<>(graph.initializers());
    values.putAll(feeds);
    Set<String> keep = new HashSet<>(options.keep());
    for (ValueInfo out : graph.outputs()) keep.add(out.name());
    requireTensors(options.keep());
    List<Node> nodes = graph.nodes();
    // A run recorded for gradients to some tensors only records the nodes those gradients pass through: it keeps
    // their inputs and outputs and runs the rest as an unrecorded run does.
    Set<String> differentiable = null;
    if (options.record() && !options.gradientsFor().isEmpty()) {
      requireTensors(options.gradientsFor());
      differentiable = dependents(options.gradientsFor());
      keep.addAll(options.gradientsFor());
      for (Node node : nodes) {
        if (node.inputs().stream().noneMatch(differentiable::contains)) continue;
        for (String in : node.inputs()) if (!in.isEmpty()) keep.add(in);
        for (String out : node.outputs()) if (!out.isEmpty()) keep.add(out);
      }
    }
    boolean recordAll = options.record() && differentiable == null;
    // Recorded runs fuse too. They keep every tensor they compute, those between convolutions held as oneDNN
    // left them, and note those that fusion skipped (a convolution's output that only its Relu reads), which the
    // trace recomputes if asked for them. Training never folds a batch norm: it normalizes by the batch's
    // statistics, in oneDNN's layout between the convolution before it and the one after.
    Map<String, Integer> skipped = recordAll ? new HashMap<>() : null;
    boolean[] fusedIntoEarlier = new boolean[nodes.size()];
    Map<String, HeldTensor> held = new HashMap<>();
    // What a recorded run leaves held goes to the trace as it is (see runFused), for the backward pass to read.
    Map<String, HeldTensor> recordedHeld = new HashMap<>();
    try {
      for (int i = 0; i < nodes.size(); i++) {
        if (Thread.currentThread().isInterrupted()) throw new Cancelled();
        Node node = nodes.get(i);
        if (!fusedIntoEarlier[i]) run(i, values, held, keep, fusedIntoEarlier, skipped, context);
        for (String in : node.inputs()) {
          if (in.isEmpty() || lastUse.get(in) != i) continue;
          release(in, held, skipped, recordedHeld);
          if (!recordAll && !keep.contains(in) && !graph.initializers().containsKey(in)) values.remove(in);
        }
      }
      for (String name : new ArrayList<>(held.keySet())) release(name, held, skipped, recordedHeld);
    } catch (RuntimeException | Error e) {
      context.endStep(); // the native copies kept for a backward pass that will not come
      for (HeldTensor h : recordedHeld.values()) h.close();
      throw e;
    } finally {
      for (HeldTensor h : held.values()) h.close();
    }
    if (!recordAll) {
      values.keySet().retainAll(keep);
    }
    return new Trace(this, values, recordedHeld, skipped == null ? Map.of() : skipped, options.record(),
        options.gradientsFor(), differentiable, context);
  }

  /**
   * Lets go of held tensor {@code name} after its last reader: a recorded run ({@code skipped} not null) hands
   * those it records to the trace, any other is freed.
   */
  private static void release(String name, Map<String, HeldTensor> held, Map<String, Integer> skipped,
      Map<String, HeldTensor> recordedHeld) {
    HeldTensor h = held.remove(name);
    if (h == null) return;
    if (skipped != null && skipped.containsKey(name)) {
      recordedHeld.put(name, h);
    } else {
      h.close();
    }
  }

  private void requireTensors(Collection<String> names) {
    for (String name : names) {
      if (!graph.hasTensor(name)) throw new InvalidInputException("no tensor named '" + name + "' in the graph");
    }
  }

  /**
   * The node's inputs, null where absent and for the first when {@code skipFirst}. A held input is made an array
   * once and kept among the values for the next reader that needs one.
   */
  private static Tensor[] inputsOf(Node node, Map<String, Tensor> values, Map<String, HeldTensor> held,
      boolean skipFirst) {
    return tensorsOf(node.inputs(), values, held, skipFirst);
  }

  /** The named tensors, as {@link #inputsOf} gives a node's inputs. */
  private static Tensor[] tensorsOf(List<String> names, Map<String, Tensor> values, Map<String, HeldTensor> held,
      boolean skipFirst) {
    Tensor[] inputs = new Tensor[names.size()];
    for (int j = skipFirst ? 1 : 0; j < inputs.length; j++) {
      String in = names.get(j);
      if (!in.isEmpty()) inputs[j] = tensorOf(in, values, held);
    }
    return inputs;
  }

  /** The named tensor, made an array once if it is held and kept among the values; null when absent. */
  private static Tensor tensorOf(String name, Map<String, Tensor> values, Map<String, HeldTensor> held) {
    Tensor t = values.get(name);
    HeldTensor h = t == null ? held.get(name) : null;
    if (h != null) {
      t = h.toTensor();
      values.put(name, t);
    }
    return t;
  }

  /** Runs node {@code i}, fused with its neighbours where it can ({@link #runFused}). */
  private void run(int i, Map<String, Tensor> values, Map<String, HeldTensor> held, Set<String> keep,
      boolean[] fusedIntoEarlier, Map<String, Integer> skipped, ExecutionContext context) {
    Node node = graph.nodes().get(i);
    Integer group = compositeOf.get(i);
    if (group != null && runsWhole(composites.get(group), keep)) {
      if (skipped != null) skipped.put(node.output(), i);
      return; // computed by the group's op at its last node
    }
    CompositeAnchor.Composite composite = composites.get(i);
    if (composite != null && runsWhole(composite, keep)) {
      if (composite.op() instanceof HeldForwardOp h
          && runHeld(h, composite.inputs(), i, values, held, keep, skipped, context)) {
        return;
      }
      runComposite(composite, values, held, context);
      return;
    }
    if (gates.contains(i) && !keep.contains(node.output())) {
      if (skipped != null) skipped.put(node.output(), i);
      return; // computed with its Mul
    }
    Integer gate = gatedProducts.get(i);
    if (gate != null && runGated(node, gate, values, held, keep, skipped, context)) return;
    if (node.op() instanceof FusingOp fusing
        && runFused(i, fusing, values, held, keep, fusedIntoEarlier, skipped, context)) {
      return;
    }
    Integer scaled = channelScales.get(i);
    if (scaled != null && runScaled(node, scaled, values, held, keep, skipped)) return;
    if (node.op() instanceof HeldForwardOp h && runHeld(h, node.inputs(), i, values, held, keep, skipped, context)) {
      return;
    }
    if (node.op() instanceof ShapeOfInputOp s && !values.containsKey(node.input(0)) && held.containsKey(node.input(0))) {
      values.put(node.output(), s.forShape(held.get(node.input(0)).shape()));
      return;
    }
    if (node.op() instanceof PermutingOp permuting && skipped == null && runPermuted(node, permuting, values, held)) {
      return;
    }
    Tensor[] outputs = run(node, inputsOf(node, values, held, false), context);
    for (int j = 0; j < node.outputs().size() && j < outputs.length; j++) {
      String out = node.outputs().get(j);
      if (!out.isEmpty()) values.put(out, outputs[j]);
    }
  }

  /**
   * Runs {@code op} for node {@code i} (its own op, or its composite's, whose inputs are {@code inputNames})
   * through oneDNN on the inputs that come held, leaving the output held, when a reader can take it so; not in
   * training. A recorded run ({@code skipped} not null) notes the output for the trace to keep held, and to
   * compute again once closed. Returns false, having run nothing, when no input comes held or the op declines or
   * fails (the plain run then reports or handles that).
   */
  private boolean runHeld(HeldForwardOp op, List<String> inputNames, int i, Map<String, Tensor> values,
      Map<String, HeldTensor> held, Set<String> keep, Map<String, Integer> skipped, ExecutionContext context) {
    Node node = graph.nodes().get(i);
    String out = node.output();
    if (context.isTraining() || !holdable.contains(out) || keep.contains(out)
        || node.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
      return false;
    }
    HeldTensor[] heldInputs = new HeldTensor[inputNames.size()];
    boolean any = false;
    for (int j = 0; j < heldInputs.length; j++) {
      if (!inputNames.get(j).isEmpty()) heldInputs[j] = held.get(inputNames.get(j));
      any |= heldInputs[j] != null;
    }
    if (!any) return false;
    Tensor[] inputs = new Tensor[heldInputs.length];
    for (int j = 0; j < inputs.length; j++) {
      if (heldInputs[j] == null && !inputNames.get(j).isEmpty()) inputs[j] = tensorOf(inputNames.get(j), values, held);
    }
    HeldTensor y;
    try {
      y = op.forwardHeld(context, inputs, heldInputs);
    } catch (RuntimeException e) {
      return false;
    }
    if (y == null) return false;
    held.put(out, y);
    if (skipped != null) skipped.put(out, i);
    return true;
  }

  /**
   * Runs a {@link PermutingOp} node on a held input whose layout stores the permuted values already, as one copy
   * (a run that records nothing). Returns false, having run nothing, when the input is not held so.
   */
  private static boolean runPermuted(Node node, PermutingOp op, Map<String, Tensor> values,
      Map<String, HeldTensor> held) {
    String in = node.input(0);
    HeldTensor h = values.containsKey(in) ? null : held.get(in);
    if (h == null || node.outputs().size() != 1) return false;
    Tensor out = h.permutedIfStored(op.permutation(h.shape().length));
    if (out == null) return false;
    values.put(node.output(), out);
    return true;
  }

  /**
   * Runs {@link FusingOp} node {@code i} through oneDNN if that gains anything: its first input taken held,
   * its Add and its Relu or Clip done as it writes (each marked in {@code fusedIntoEarlier}), its result held
   * when a reader can take it so. Returns false, having run nothing, when the plain run should do it. A recorded
   * run ({@code skipped} not null) notes the tensors it skipped, and a result it holds, for the trace to keep.
   */
  private boolean runFused(int i, FusingOp fusing, Map<String, Tensor> values, Map<String, HeldTensor> held,
      Set<String> keep, boolean[] fusedIntoEarlier, Map<String, Integer> skipped, ExecutionContext context) {
    List<Node> nodes = graph.nodes();
    Node node = nodes.get(i);
    HeldTensor heldInput = held.get(node.input(0));
    Tensor[] inputs = inputsOf(node, values, held, heldInput != null);
    Fusion f = fusions[i];
    // The batch norm folded into the weights, unless the convolution's own output is kept.
    Node bnNode = null;
    if (f.batchNorm() >= 0 && !keep.contains(node.output()) && !context.isTraining()) {
      bnNode = nodes.get(f.batchNorm());
      Tensor[] withFolded = foldBatchNorm(i, inputs, bnNode, values);
      if (withFolded != null) inputs = withFolded;
      else bnNode = null;
    }
    Node produced = bnNode != null ? bnNode : node;
    // The Add and the activation read the batch norm's output when there is one, so they need it folded.
    boolean postOps = (f.batchNorm() < 0 || bnNode != null) && !keep.contains(produced.output());
    FusingOp.Addend addend = f.add() >= 0 && postOps ? addendOf(f, i, values, held) : null;
    if (addend != null && addend.consumable() && skipped != null) {
      addend = new FusingOp.Addend(null, addend.held(), false); // a recorded run's trace keeps the addend
    }
    Node addNode = addend != null ? nodes.get(f.add()) : null;
    Activating activating = addNode != null ? (keep.contains(addNode.output()) ? null : f.activating())
        : f.add() < 0 && postOps ? f.activating() : null;
    Activation activation = activating == null ? null
        : activationOf(activating, values, held, keep, skipped != null, fusedIntoEarlier, context);
    Node activationNode = activation != null ? nodes.get(activating.node()) : null;
    Node writer = activationNode != null ? activationNode : addNode != null ? addNode : produced;
    boolean hold = holdable.contains(writer.output()) && !keep.contains(writer.output());
    FusingOp.Output out = null;
    if (heldInput != null || bnNode != null || addend != null || activation != null || hold) {
      out = tryFused(fusing, context, inputs, heldInput, addend, activation, hold);
    }
    if (out == null && addend != null && (heldInput != null || bnNode != null)) {
      // An Add that broadcasts: the convolution (and its batch norm) alone, still reading its input held.
      writer = produced;
      activation = null;
      addNode = null;
      out = tryFused(fusing, context, inputs, heldInput, null, null, false);
    }
    if (out == null) return false;
    if (bnNode != null) fusedIntoEarlier[f.batchNorm()] = true;
    if (addNode != null) fusedIntoEarlier[f.add()] = true;
    int gate = activation != null ? activating.gate() : -1;
    if (activation != null) fusedIntoEarlier[activating.node()] = true;
    if (gate >= 0) fusedIntoEarlier[gate] = true;
    if (skipped != null) {
      if (writer != node) skipped.put(node.output(), i);
      if (bnNode != null && writer != bnNode) skipped.put(bnNode.output(), f.batchNorm());
      if (addNode != null && writer != addNode) skipped.put(addNode.output(), f.add());
      if (gate >= 0) skipped.put(nodes.get(gate).output(), gate);
    }
    if (out.held() != null) {
      held.put(writer.output(), out.held());
      // A recorded run keeps it held (release) and notes how to compute it again once the trace is closed.
      if (skipped != null) skipped.put(writer.output(), index.get(writer));
    } else {
      values.put(writer.output(), out.tensor());
    }
    return true;
  }

  /**
   * Runs group {@code c} as its op, writing its last node's output. If the op fails on these inputs (shapes the
   * pattern could not check), the group's nodes run one by one instead, and report what is wrong.
   */
  private static void runComposite(CompositeAnchor.Composite c, Map<String, Tensor> values,
      Map<String, HeldTensor> held, ExecutionContext context) {
    Tensor[] inputs = tensorsOf(c.inputs(), values, held, false);
    try {
      values.put(c.last().output(), c.op().forward(context, inputs)[0]);
    } catch (RuntimeException e) {
      for (Node n : c.nodes()) values.put(n.output(), run(n, inputsOf(n, values, held, false), context)[0]);
    }
  }

  /**
   * Runs Mul {@code mul} of x by f(x) in one pass when f's node {@code gate} was left for it to compute: through
   * oneDNN when x comes held and the product can stay held for a reader (a recorded run, which does not fuse
   * x * f(x) into the convolution before it, for its backward pass reads x; a recorded run notes the product
   * for the trace to keep held), else in Java. Returns false, having run nothing, when f(x) is there already,
   * and the Mul is to run as it is.
   */
  private boolean runGated(Node mul, int gate, Map<String, Tensor> values, Map<String, HeldTensor> held,
      Set<String> keep, Map<String, Integer> skipped, ExecutionContext context) {
    Node gateNode = graph.nodes().get(gate);
    String gated = gateNode.output();
    if (values.containsKey(gated) || held.containsKey(gated)) return false;
    HeldTensor heldX = held.get(gateNode.input(0));
    if (heldX != null && holdable.contains(mul.output()) && !keep.contains(mul.output())) {
      Activation product = productOf(gateNode);
      HeldTensor y = product == null ? null : heldX.activated(product);
      if (y != null) {
        held.put(mul.output(), y);
        if (skipped != null) skipped.put(mul.output(), index.get(mul));
        return true;
      }
    }
    Tensor[] x = inputsOf(gateNode, values, held, false);
    if (x[0] == null || !x[0].isFloat()) { // the gate reports that
      values.put(gated, run(gateNode, x, context)[0]);
      return false;
    }
    values.put(mul.output(), ((GatingOp) gateNode.op()).timesInput(x[0]));
    return true;
  }

  /** x * f(x) as oneDNN computes it, f being gate node {@code gate}; null when oneDNN has no such function. */
  private static Activation productOf(Node gate) {
    try {
      Activation f = ((ActivationOp) gate.op()).activation(new Tensor[gate.inputs().size()]);
      return f == null ? null : f.timesInput();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Runs squeeze-and-excitation Mul {@code node} on the operand it scales ({@code scaled}) held, when it comes
   * so and the product can stay held for a reader: oneDNN multiplies it by the factors in its own layout.
   * Returns false, having run nothing, when the plain run should do it (factors not one per channel). A
   * recorded run ({@code skipped} not null) notes the product for the trace to keep held.
   */
  private boolean runScaled(Node node, int scaled, Map<String, Tensor> values, Map<String, HeldTensor> held,
      Set<String> keep, Map<String, Integer> skipped) {
    HeldTensor x = held.get(node.input(scaled));
    String out = node.output();
    if (x == null || !holdable.contains(out) || keep.contains(out)) return false;
    String factors = node.input(1 - scaled);
    HeldTensor heldScale = held.get(factors);
    Tensor scale = heldScale == null ? values.get(factors) : null;
    HeldTensor y;
    try {
      y = scale == null && heldScale == null ? null : x.timesPerChannel(scale, heldScale);
    } catch (RuntimeException e) {
      return false; // the plain run reports or handles it
    }
    if (y == null) return false;
    held.put(out, y);
    if (skipped != null) skipped.put(out, index.get(node));
    return true;
  }

  /**
   * Conv node {@code conv}'s inputs with {@code bn}'s map folded into its weights and bias (both scaled by the
   * gain, the bias shifted), or null when the batch norm has no fixed map. The folded tensors are kept, so that
   * oneDNN's copy of the weights is made once, and made again when a source tensor changes.
   */
  private Tensor[] foldBatchNorm(int conv, Tensor[] inputs, Node bn, Map<String, Tensor> values) {
    Tensor w = inputs[1];
    Tensor bias = inputs.length > 2 ? inputs[2] : null;
    Tensor[] bnInputs = new Tensor[5];
    for (int j = 1; j < 5; j++) bnInputs[j] = values.get(bn.input(j));
    Tensor[] sources = {w, bias, bnInputs[1], bnInputs[2], bnInputs[3], bnInputs[4]};
    FoldedParameters cached = folded.get(conv);
    if (cached == null || !cached.from(sources)) {
      float[][] affine = w == null || !w.isFloat() ? null : ((ChannelAffineOp) bn.op()).channelAffine(bnInputs);
      if (affine == null || affine[0].length != w.dim(0) || (bias != null && bias.size() != w.dim(0))) return null;
      float[] gain = affine[0];
      float[] weights = w.data().clone();
      int perChannel = weights.length / gain.length;
      float[] shifted = new float[gain.length];
      for (int m = 0; m < gain.length; m++) {
        for (int k = m * perChannel; k < (m + 1) * perChannel; k++) weights[k] *= gain[m];
        shifted[m] = (bias == null ? 0 : bias.data()[m]) * gain[m] + affine[1][m];
      }
      long[] versions = new long[sources.length];
      for (int k = 0; k < sources.length; k++) versions[k] = sources[k] == null ? 0 : sources[k].version();
      cached = new FoldedParameters(sources, versions, Tensor.of(weights, w.shape()), Tensor.of(shifted, gain.length));
      folded.put(conv, cached);
    }
    Tensor[] withFolded = Arrays.copyOf(inputs, Math.max(3, inputs.length));
    withFolded[1] = cached.weights();
    withFolded[2] = cached.bias();
    return withFolded;
  }

  /** The fused run, or null when the op declines it or fails (the plain run then reports or handles that). */
  private static FusingOp.Output tryFused(FusingOp fusing, ExecutionContext context, Tensor[] inputs,
      HeldTensor heldInput, FusingOp.Addend addend, Activation activation, boolean hold) {
    try {
      return fusing.forwardFused(context, inputs, heldInput, addend, activation, hold);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The operand node {@code i}'s fused Add adds, held if it is, or null when it is not there. It may be
   * written over when no node reads it after the Add other than nodes that have run already.
   */
  private FusingOp.Addend addendOf(Fusion f, int i, Map<String, Tensor> values, Map<String, HeldTensor> held) {
    HeldTensor h = held.get(f.addend());
    if (h == null) {
      Tensor t = values.get(f.addend());
      return t == null ? null : new FusingOp.Addend(t, null, false);
    }
    boolean consumable = true;
    for (int reader : readers.get(f.addend())) consumable &= reader == f.add() || reader < i;
    return new FusingOp.Addend(null, h, consumable);
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
   * The activation {@code activating} computes, or null when it is not to be fused: its parameters are not
   * known yet or oneDNN has no such function, a tensor inside it is kept, or in a {@code recorded} run its
   * backward pass reads the tensor fusion skips (the convolution would run again, which costs more than the
   * fusion saves; the clamps' backward passes read only their output). PyTorch writes Clip's bounds as Constant
   * nodes between the convolution and the Clip; those run now.
   */
  private Activation activationOf(Activating activating, Map<String, Tensor> values, Map<String, HeldTensor> held,
      Set<String> keep, boolean recorded, boolean[] fusedIntoEarlier, ExecutionContext context) {
    boolean gated = activating.gate() >= 0;
    Node node = graph.nodes().get(gated ? activating.gate() : activating.node());
    if (gated && (recorded || keep.contains(node.output()))) return null;
    boolean[] firstOnly = new boolean[node.inputs().size()];
    firstOnly[0] = true;
    if (recorded && node.op().backwardReadsInput(0, firstOnly)) return null;
    Tensor[] inputs = inputsOf(node, values, held, true);
    for (int j = 1; j < inputs.length; j++) {
      if (inputs[j] != null || node.input(j).isEmpty()) continue;
      Node producer = graph.producer(node.input(j));
      if (producer == null || !producer.inputs().isEmpty() || producer.outputs().size() != 1) return null;
      inputs[j] = run(producer, new Tensor[0], context)[0];
      values.put(producer.output(), inputs[j]);
      fusedIntoEarlier[index.get(producer)] = true;
    }
    try {
      Activation activation = ((ActivationOp) node.op()).activation(inputs);
      return activation == null || !gated ? activation : activation.timesInput();
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
    for (String w : wrt) {
      if (!trace.allowsGradientFor(w) && graph.hasTensor(w)) {
        throw new InvalidInputException("cannot take a gradient with respect to '" + w + "': the forward run was "
            + "recorded for gradients with respect to " + trace.gradientsFor() + " and what follows them only");
      }
    }
    for (Map.Entry<String, Tensor> seed : seeds.entrySet()) {
      if (!trace.has(seed.getKey())) {
        throw new InvalidInputException("cannot seed a gradient at '" + seed.getKey() + "': "
            + (graph.hasTensor(seed.getKey()) ? "the forward run did not keep it" : "no such tensor"));
      }
      Tensor t = trace.get(seed.getKey());
      if (!Arrays.equals(t.shape(), seed.getValue().shape())) {
        throw new InvalidInputException("gradient seed for '" + seed.getKey() + "' has shape "
            + Arrays.toString(seed.getValue().shape()) + " but the tensor has shape " + Arrays.toString(t.shape()));
      }
    }
    for (String w : wrt) {
      if (!trace.has(w)) throw new InvalidInputException("cannot take a gradient with respect to '" + w + "': no such tensor");
    }
    // Gradients only flow along paths from wrt: a node's input needs one if it depends on some tensor in wrt.
    Set<String> leadsToWrt = dependents(wrt);
    Set<String> wanted = new HashSet<>(wrt);
    try (Gradients grads = new Gradients()) {
      for (Map.Entry<String, Tensor> seed : seeds.entrySet()) grads.add(seed.getKey(), seed.getValue());
      backward(trace, grads, leadsToWrt, wanted, rules);
      Map<String, Tensor> result = new LinkedHashMap<>();
      for (String w : wrt) {
        Tensor g = grads.tensor(w);
        result.put(w, g != null ? g : Tensor.zeros(trace.get(w).shape()));
      }
      return result;
    }
  }

  /** The backward pass itself: the nodes in reverse order, from the gradients in {@code grads} on. */
  private void backward(Trace trace, Gradients grads, Set<String> leadsToWrt, Set<String> wanted,
      BackwardRules rules) {
    List<Node> nodes = graph.nodes();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (Thread.currentThread().isInterrupted()) throw new Cancelled();
      Node node = nodes.get(i);
      boolean anyGrad = false;
      for (String out : node.outputs()) anyGrad |= grads.has(out);
      if (!anyGrad) continue;
      Integer gate = gatedProducts.get(i);
      if (gate != null && backwardGated(trace, node, nodes.get(gate), grads, leadsToWrt, wanted, rules)) continue;
      CompositeAnchor.Composite composite = composites.get(i);
      if (composite != null && backwardComposite(trace, composite, grads, leadsToWrt, wanted, rules)) continue;
      boolean[] needed = new boolean[node.inputs().size()];
      boolean anyNeeded = false;
      Tensor[] inputs = new Tensor[needed.length];
      for (int j = 0; j < needed.length; j++) {
        String in = node.inputs().get(j);
        if (in.isEmpty()) continue;
        inputs[j] = trace.stored(in);
        // Fusion skips only float tensors (convolution and Add outputs).
        needed[j] = leadsToWrt.contains(in) && (inputs[j] == null || inputs[j].isFloat());
        anyNeeded |= needed[j];
      }
      if (!anyNeeded || node.op() instanceof NonDifferentiable) {
        grads.release(node, wanted);
        continue;
      }
      BackwardRule rule = rules.forOpType(node.opType());
      HeldGradientOp held = rule == null ? (node.op() instanceof HeldGradientOp op ? op : null)
          : rule instanceof HeldBackwardRule r ? r.appliedTo(node.op()) : null;
      if (held != null && backwardHeld(held, node.inputs(), node, trace, needed, grads, wanted, rules)) continue;
      // A tensor the forward run skipped is recomputed only if this backward pass reads its values.
      for (int j = 0; j < needed.length; j++) {
        boolean reads = rule != null ? rule.readsInput(j, needed)
            : node.op().backwardReadsInput(trace.context(), j, needed);
        if (inputs[j] == null && !node.input(j).isEmpty() && reads) inputs[j] = trace.get(node.input(j));
      }
      Tensor[] outputs = new Tensor[node.outputs().size()];
      Tensor[] outputGrads = new Tensor[outputs.length];
      for (int j = 0; j < outputs.length; j++) {
        String out = node.outputs().get(j);
        if (out.isEmpty()) continue;
        boolean reads = rule != null ? rule.readsOutput(j) : node.op().backwardReadsOutput(j);
        outputs[j] = (reads || !grads.has(out)) && trace.has(out) ? trace.get(out) : trace.stored(out);
        Tensor g = grads.tensor(out);
        outputGrads[j] = g != null ? g : outputs[j] == null ? null : Tensor.zeros(outputs[j].dtype(), outputs[j].shape());
      }
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
      grads.release(node, wanted);
      for (int j = 0; j < needed.length; j++) {
        if (needed[j] && inputGrads[j] != null) grads.add(node.inputs().get(j), inputGrads[j]);
      }
    }
  }

  /**
   * Runs {@code node}'s backward pass through {@link HeldGradientOp} (or, when {@code node} is the last of a
   * composite, the composite's, whose inputs {@code inputNames} then are): the output gradient is read as it comes,
   * held or not, and the first input's is left held when it is not asked for and it comes from another such op
   * whose backward pass no rule replaces, which then reads it held. Gradients that meet at a tensor read twice
   * (a residual block's input) are added held when both come so ({@link Gradients#hold}). Returns false, having
   * done nothing, when there is nothing to gain or the op declines.
   */
  private boolean backwardHeld(HeldGradientOp op, List<String> inputNames, Node node, Trace trace, boolean[] needed,
      Gradients grads, Set<String> wanted, BackwardRules rules) {
    if (node.outputs().size() != 1) return false;
    String in = inputNames.get(0);
    HeldTensor heldDy = grads.held(node.output());
    Node producer = graph.producer(in);
    boolean hold = needed[0] && !wanted.contains(in) && producer != null && readsGradientHeld(producer, rules);
    if (heldDy == null && !hold) return false;
    HeldGradientOp.Value dy = new HeldGradientOp.Value(heldDy == null ? grads.tensor(node.output()) : null, heldDy);
    HeldGradientOp.Value[] dx;
    try {
      HeldGradientOp.Value[] inputs = operands(trace, inputNames,
          j -> op.backwardReadsInput(trace.context(), j, needed));
      HeldGradientOp.Value[] outputs = operands(trace, node.outputs(), op::backwardReadsOutput);
      // A gradient asked for is shared while the op runs, so that no op writes its own over it.
      try (HeldTensor asked = heldDy != null && wanted.contains(node.output()) ? heldDy.share() : null) {
        dx = op.backwardHeld(trace.context(), inputs, outputs, dy, needed, hold);
      }
    } catch (InvalidModelException | InvalidInputException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidModelException("backward pass of " + node + " failed: " + e.getMessage(), e);
    }
    if (dx == null) return false;
    for (int j = 0; j < dx.length && heldDy != null; j++) {
      if (dx[j] == null || dx[j].held() != heldDy) continue;
      // Handed on: it becomes the input's gradient, or a second handle on it does when it is asked for itself.
      if (wanted.contains(node.output())) {
        dx[j] = new HeldGradientOp.Value(null, heldDy.share());
      } else {
        grads.handOver(node.output());
      }
    }
    grads.release(node, wanted);
    for (int j = 0; j < needed.length; j++) {
      HeldGradientOp.Value g = j < dx.length ? dx[j] : null;
      if (!needed[j] || g == null) continue;
      if (g.held() != null) {
        grads.hold(inputNames.get(j), g.held());
      } else {
        grads.add(inputNames.get(j), g.tensor());
      }
    }
    return true;
  }

  /**
   * Whether the backward pass of {@code producer}, as {@code rules} leave it, reads its output's gradient held:
   * a gated product's ({@link #backwardGated}), or a {@link HeldGradientOp}'s; of Muls, only a
   * squeeze-and-excitation block's scaling and a scaling by constant factors (ConvNeXt's layer scale) take it
   * held, the others would read it back.
   */
  private boolean readsGradientHeld(Node producer, BackwardRules rules) {
    BackwardRule rule = rules.forOpType(producer.opType());
    if (rule != null) return rule instanceof HeldBackwardRule;
    int i = index.get(producer);
    CompositeAnchor.Composite c = composites.get(i);
    if (c != null) return c.op() instanceof HeldGradientOp;
    Integer gate = gatedProducts.get(i);
    if (gate != null) return rules.forOpType(graph.nodes().get(gate).opType()) == null;
    if (producer.opType().equals("Mul")) return channelScales.containsKey(i) || constantScales.contains(i);
    return producer.op() instanceof HeldGradientOp;
  }

  /**
   * The named tensors as the forward run left them, held or not; one that fusion skipped is computed again if
   * the backward pass {@code reads} it, and is null otherwise, as is an absent optional one.
   */
  private static HeldGradientOp.Value[] operands(Trace trace, List<String> names, IntPredicate reads) {
    HeldGradientOp.Value[] values = new HeldGradientOp.Value[names.size()];
    for (int j = 0; j < values.length; j++) {
      String name = names.get(j);
      if (name.isEmpty()) continue;
      Tensor t = trace.stored(name);
      HeldTensor h = t == null ? trace.held(name) : null;
      if (t == null && h == null && !reads.test(j)) continue;
      values[j] = new HeldGradientOp.Value(t == null && h == null ? trace.get(name) : t, h);
    }
    return values;
  }

  /**
   * The backward pass of Mul {@code mul} of x by f(x) (f being node {@code gate}) straight to x, in one pass,
   * when no rule replaces Mul's or f's and f(x)'s own gradient is not asked for; returns false, having done
   * nothing, otherwise. A gradient seeded at f(x) still reaches x through f's node. Through oneDNN, leaving x's
   * gradient held, when the forward run left x held; in Java otherwise.
   */
  private boolean backwardGated(Trace trace, Node mul, Node gate, Gradients grads, Set<String> leadsToWrt,
      Set<String> wanted, BackwardRules rules) {
    String x = gate.input(0);
    if (rules.forOpType(mul.opType()) != null || rules.forOpType(gate.opType()) != null
        || wanted.contains(gate.output()) || !leadsToWrt.contains(x)) {
      return false;
    }
    HeldTensor heldX = trace.held(x);
    Activation product = heldX == null ? null : productOf(gate);
    HeldTensor heldDy = grads.held(mul.output());
    if (product != null && (heldDy != null || grads.has(mul.output()))) {
      HeldTensor dx;
      try {
        dx = heldX.activationGradient(product, heldDy == null ? grads.tensor(mul.output()) : null, heldDy);
      } catch (RuntimeException e) {
        throw new InvalidModelException("backward pass of " + mul + " failed: " + e.getMessage(), e);
      }
      if (dx != null) {
        grads.release(mul, wanted);
        grads.hold(x, dx);
        return true;
      }
    }
    Tensor values = trace.get(x);
    Tensor dy = grads.tensor(mul.output());
    if (!values.isFloat() || dy == null) return false;
    Tensor dx;
    try {
      dx = ((GatingOp) gate.op()).timesInputGradient(values, dy);
    } catch (RuntimeException e) {
      throw new InvalidModelException("backward pass of " + mul + " failed: " + e.getMessage(), e);
    }
    grads.release(mul, wanted);
    grads.add(x, dx);
    return true;
  }

  /**
   * The backward pass of group {@code c} as its op, straight to the group's inputs, when no rule replaces any of
   * its nodes' and nothing asks for or seeds a gradient inside it: held where the op has such a pass and takes
   * these inputs (a Linear layer), else on arrays. Returns false, having done nothing, otherwise or when the op
   * rejects these inputs (the nodes then go one by one, their tensors computed again).
   */
  private boolean backwardComposite(Trace trace, CompositeAnchor.Composite c, Gradients grads,
      Set<String> leadsToWrt, Set<String> wanted, BackwardRules rules) {
    for (Node n : c.nodes()) {
      if (rules.forOpType(n.opType()) != null) return false;
      if (n != c.last() && (wanted.contains(n.output()) || grads.has(n.output()))) return false;
    }
    List<String> names = c.inputs();
    boolean[] needed = new boolean[names.size()];
    boolean any = false;
    for (int j = 0; j < needed.length; j++) {
      Tensor stored = trace.stored(names.get(j));
      needed[j] = leadsToWrt.contains(names.get(j)) && (stored == null || stored.isFloat()); // held ones are float
      any |= needed[j];
    }
    if (!any) return false;
    if (c.op() instanceof HeldGradientOp op
        && backwardHeld(op, names, c.last(), trace, needed, grads, wanted, rules)) {
      return true;
    }
    Tensor[] inputs = new Tensor[needed.length];
    for (int j = 0; j < needed.length; j++) {
      inputs[j] = trace.get(names.get(j));
      needed[j] &= inputs[j].isFloat();
    }
    String out = c.last().output();
    Tensor[] outputs = {c.op().backwardReadsOutput(0) ? trace.get(out) : trace.stored(out)};
    Tensor[] inputGrads;
    try {
      inputGrads = c.op().backward(trace.context(), inputs, outputs, new Tensor[] {grads.tensor(out)}, needed);
    } catch (RuntimeException e) {
      return false;
    }
    grads.release(c.last(), wanted);
    for (int j = 0; j < needed.length; j++) {
      if (needed[j] && inputGrads[j] != null) grads.add(names.get(j), inputGrads[j]);
    }
    return true;
  }

  /** Runs node {@code index} again, as the plain run does, on the trace's tensors: for tensors fusion skipped. */
  Tensor[] recompute(Trace trace, int index) {
    Node node = graph.nodes().get(index);
    Tensor[] inputs = new Tensor[node.inputs().size()];
    for (int j = 0; j < inputs.length; j++) {
      if (!node.input(j).isEmpty()) inputs[j] = trace.get(node.input(j));
    }
    return run(node, inputs, trace.context());
  }

  /** The tensors in {@code tensors} and every tensor computed from one of them, walking the graph forward. */
  private Set<String> dependents(Collection<String> tensors) {
    Set<String> dependents = new HashSet<>(tensors);
    for (Node node : graph.nodes()) {
      if (node.inputs().stream().anyMatch(dependents::contains)) dependents.addAll(node.outputs());
    }
    return dependents;
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
