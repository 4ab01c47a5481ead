package org.convscope.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Trace;
import org.convscope.model.Model;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/**
 * What to explain: a batch of inputs (N,C,H,W), one target class per item and, for the methods that read a
 * layer, that layer. It runs the batch forward once, recorded, and keeps the gradients it computes from that
 * run, so that methods explaining the same query share them: Grad-CAM, Grad-CAM++ and LayerCAM use one backward
 * pass, and Guided Grad-CAM reuses both Grad-CAM's and guided backpropagation's.
 *
 * <p>A query made for a named layer records the forward pass for gradients to that layer only, so the part of
 * the network before it runs fused, as in inference. The first method that needs more (a gradient or an
 * activation before the layer, such as the input gradient) records the whole pass once more.
 *
 * <p>Safe to use from several threads: the cache is guarded by the query's lock. Closing the query frees the
 * native memory its recorded pass holds (see {@link Trace#close}); it stays usable, only slower.
 */
public final class Query implements AutoCloseable {
  private final Model model;
  private final Tensor batch;
  private final int[] targets;
  private Trace trace;
  private Layer layer;
  private volatile Progress progress = Progress.NONE;
  /** Gradients of each item's target score, by backward rules and tensor. */
  private final Map<BackwardRules, Map<String, Tensor>> gradients = new HashMap<>();

  private Query(Model model, Tensor batch, int[] targets, Trace trace, String layerName) {
    this.model = model;
    this.batch = batch;
    this.targets = targets;
    this.trace = trace;
    if (layerName != null) layer = Layer.named(model, covering(model.resolveLayer(layerName), false), layerName);
  }

  /**
   * Explains each item's own target class.
   *
   * @param layer a module path, node or tensor name, or null to choose the last layer with spatial extent
   *     before global pooling when a method needs a layer
   */
  public static Query forClasses(Model model, Tensor batch, int[] targets, String layer) {
    if (targets.length != checkBatch(batch).dim(0)) {
      throw new InvalidInputException(targets.length + " target classes for a batch of " + batch.dim(0));
    }
    Trace trace = run(model, batch, layer);
    int classes = Scores.classes(model, trace.get(model.output()));
    for (int k : targets) model.checkClass(k, classes);
    return new Query(model, batch, targets.clone(), trace, layer);
  }

  /** Explains the same class for every item. */
  public static Query forClass(Model model, Tensor batch, int target, String layer) {
    int[] targets = new int[checkBatch(batch).dim(0)];
    Arrays.fill(targets, target);
    return forClasses(model, batch, targets, layer);
  }

  /** Explains the class the model predicts for each item. */
  public static Query predicted(Model model, Tensor batch, String layer) {
    Trace trace = run(model, batch, layer);
    Tensor logits = trace.get(model.output());
    int classes = Scores.classes(model, logits);
    int[] targets = new int[batch.dim(0)];
    for (int i = 0; i < targets.length; i++) targets[i] = Scores.topK(logits.data(), i * classes, classes, 1)[0];
    return new Query(model, batch, targets, trace, layer);
  }

  /**
   * Explains each item's k most likely classes side by side: the query's batch repeats each item k times,
   * item {@code n*k + j} standing for input n and its (j+1)-th most likely class.
   */
  public static Query topK(Model model, Tensor batch, int k, String layer) {
    Tensor logits = model.network().predict(checkBatch(batch));
    int classes = Scores.classes(model, logits);
    if (k < 1 || k > classes) {
      throw new InvalidInputException("top-k of " + k + " is out of range: the model has " + classes + " classes");
    }
    int n = batch.dim(0);
    int item = batch.size() / n;
    float[] repeated = new float[batch.size() * k];
    int[] targets = new int[n * k];
    for (int i = 0; i < n; i++) {
      int[] top = Scores.topK(logits.data(), i * classes, classes, k);
      for (int j = 0; j < k; j++) {
        System.arraycopy(batch.data(), i * item, repeated, (i * k + j) * item, item);
        targets[i * k + j] = top[j];
      }
    }
    int[] shape = batch.shape();
    shape[0] = n * k;
    return forClasses(model, Tensor.of(repeated, shape), targets, layer);
  }

  /** The forward pass, recorded for gradients to the layer when one is named, else to every tensor. */
  private static Trace run(Model model, Tensor batch, String layer) {
    ForwardOptions options = layer == null ? ForwardOptions.forBackward()
        : ForwardOptions.forBackwardTo(model.resolveLayer(layer));
    return model.network().forward(Map.of(model.input(), checkBatch(batch)), options);
  }

  /**
   * The trace, recorded again for every tensor if it lacks {@code tensor} or, when {@code gradient}, cannot
   * take the gradient with respect to it.
   */
  private synchronized Trace covering(String tensor, boolean gradient) {
    if (!trace.isRecordedForAll() && (gradient ? !trace.allowsGradientFor(tensor) : !trace.has(tensor))) {
      trace = model.network().forward(Map.of(model.input(), batch), ForwardOptions.forBackward());
    }
    return trace;
  }

  private static Tensor checkBatch(Tensor batch) {
    if (!batch.isFloat() || batch.rank() != 4 || batch.dim(0) == 0) {
      throw new InvalidInputException("explanations need a float batch of images [N,C,H,W] with N >= 1, got "
          + (batch.isFloat() ? "" : "int64 ") + Shapes.toString(batch.shape()));
    }
    return batch;
  }

  /**
   * The same batch and targets explained at another layer (a module path, node or tensor name), reusing this
   * query's forward pass.
   */
  public Query atLayer(String layer) {
    return new Query(model, batch, targets, trace, layer);
  }

  public Model model() {
    return model;
  }

  /** Frees the native memory of the recorded pass, which queries made from this one ({@link #atLayer}) share. */
  @Override
  public synchronized void close() {
    trace.close();
  }

  /** Makes the methods that run many passes report their progress to {@code listener}; returns this query. */
  public Query reportingTo(Progress listener) {
    this.progress = java.util.Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** Where the methods report their progress: {@link Progress#NONE} unless {@link #reportingTo} set it. */
  public Progress progress() {
    return progress;
  }

  public Tensor batch() {
    return batch;
  }

  /** The number of items. */
  public int size() {
    return batch.dim(0);
  }

  /** The target class of each item. */
  public int[] targets() {
    return targets.clone();
  }

  public int target(int item) {
    return targets[item];
  }

  /** The model's output for the batch, (N, classes). */
  public synchronized Tensor logits() {
    return trace.get(model.output());
  }

  /** Each item's score for its target class: the output the explanations explain. */
  public float[] targetScores() {
    float[] out = logits().data();
    int classes = logits().dim(1);
    float[] s = new float[size()];
    for (int i = 0; i < s.length; i++) s[i] = out[i * classes + targets[i]];
    return s;
  }

  /** The class the model predicts for an item: its highest score. */
  public int predicted(int item) {
    int classes = logits().dim(1);
    return Scores.topK(logits().data(), item * classes, classes, 1)[0];
  }

  /** The model's probability of class k for an item: the softmax of its scores, unless the model ends in one. */
  public double probability(int item, int k) {
    int classes = logits().dim(1);
    return Scores.probability(model, logits().data(), item * classes, classes, k);
  }

  /** The layer named when the query was made, or else the one chosen automatically. */
  public synchronized Layer layer() {
    // A query made without a layer name recorded every tensor.
    if (layer == null) layer = Layer.chooseDefault(model, trace);
    return layer;
  }

  /** A tensor of the recorded forward pass, such as the layer's activations. */
  public Tensor value(String tensor) {
    return covering(tensor, false).get(tensor);
  }

  /** The gradient of each item's target score with respect to a tensor of the forward pass. */
  public Tensor gradient(BackwardRules rules, String tensor) {
    return gradients(rules, List.of(tensor)).get(tensor);
  }

  /**
   * The gradients of each item's target score (the sum over items of one-hot seeds on the output) with
   * respect to some tensors, under the given backward rules. Tensors asked for before are not computed again;
   * the others are computed in one backward pass.
   */
  public synchronized Map<String, Tensor> gradients(BackwardRules rules, Collection<String> tensors) {
    Map<String, Tensor> cached = gradients.computeIfAbsent(rules, r -> new HashMap<>());
    List<String> missing = new ArrayList<>();
    for (String t : tensors) if (!cached.containsKey(t)) missing.add(t);
    if (!missing.isEmpty()) {
      Map<String, Tensor> seeds = Map.of(model.output(), Scores.oneHot(targets, logits().dim(1)));
      for (String t : missing) covering(t, true);
      cached.putAll(model.network().backward(trace, seeds, missing, rules));
    }
    Map<String, Tensor> result = new LinkedHashMap<>();
    for (String t : tensors) result.put(t, cached.get(t));
    return result;
  }
}
