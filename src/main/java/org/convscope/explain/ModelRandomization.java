package org.convscope.explain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.convscope.engine.Graph;
import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Node;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;

/**
 * The model-randomization sanity check: Adebayo, Gilmer, Muelly, Goodfellow, Hardt and Kim, "Sanity Checks for
 * Saliency Maps", NeurIPS 2018. The layers with weights are re-initialized in cascade from the top (the output
 * side) down, and after each one the method explains the same query again; the Spearman rank correlation of the
 * new pixel map with the original says how much the map still looks the same. A map that explains the model
 * should change: correlations near 1 warn that the method shows the input more than the model.
 *
 * <p>The user's model is never changed: each step runs on a copy of the graph whose re-initialized layers read
 * new weight tensors, drawn from a normal distribution with each tensor's own standard deviation.
 */
public final class ModelRandomization {

  /**
   * @param layers how many layers with weights to re-initialize, from the top
   * @param seed the random seed of the new weights
   */
  public record Options(int layers, long seed) {
    public Options {
      if (layers < 1) throw new InvalidInputException("the randomization check needs at least 1 layer, got " + layers);
    }

    public static Options defaults() {
      return new Options(3, 0);
    }
  }

  /**
   * One step of the cascade.
   *
   * @param layer the module path (or node name) of the layer re-initialized at this step, on top of the ones before
   * @param spearman per item, the rank correlation with the original map
   */
  public record Step(String layer, double[] spearman) {}

  private ModelRandomization() {}

  /** Runs the cascade for one method, whose map for the query is {@code original}. */
  public static List<Step> check(Query query, Explainer explainer, Attribution original, Options options) {
    Model model = query.model();
    Graph graph = model.graph();
    List<Node> layers = layersWithWeights(graph);
    int count = Math.min(options.layers(), layers.size());
    Tensor batch = query.batch();
    int height = batch.dim(2);
    int width = batch.dim(3);
    int plane = height * width;
    float[] before = original.pixelMap(height, width).data();
    String layer = explainer.usesLayer() ? query.layer().tensor() : null;
    Map<String, Tensor> weights = new HashMap<>(graph.initializers());
    List<Step> steps = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      Node node = layers.get(s);
      SplittableRandom random = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + s);
      for (String in : node.inputs()) {
        Tensor w = graph.initializers().get(in);
        if (w != null && w.isFloat()) weights.put(in, reinitialized(w, random));
      }
      Graph copy = new Graph(graph.name(), graph.nodes(), weights, graph.inputs(), graph.outputs(),
          graph.metadata(), graph.opset());
      Model randomized = new Model(copy, model.source() + " (top " + (s + 1) + " layers re-initialized)");
      float[] after;
      try (Query again = Query.forClasses(randomized, batch, query.targets(), layer)) {
        after = explainer.explain(again).pixelMap(height, width).data();
      }
      double[] rho = new double[query.size()];
      for (int i = 0; i < rho.length; i++) rho[i] = RankCorrelation.spearman(before, i * plane, after, i * plane, plane);
      String name = model.layers().modulePath(node);
      steps.add(new Step(name != null ? name : node.name(), rho));
    }
    return steps;
  }

  /** Nodes that read a weight matrix or kernel (an initializer of rank 2 or more), the output side first. */
  private static List<Node> layersWithWeights(Graph graph) {
    List<Node> layers = new ArrayList<>();
    for (Node node : graph.nodes()) {
      for (String in : node.inputs()) {
        Tensor t = graph.initializers().get(in);
        if (t != null && t.isFloat() && t.rank() >= 2) {
          layers.add(0, node);
          break;
        }
      }
    }
    return layers;
  }

  private static Tensor reinitialized(Tensor w, SplittableRandom random) {
    float[] v = w.data();
    double mean = 0;
    for (float f : v) mean += f;
    mean /= v.length;
    double var = 0;
    for (float f : v) var += (f - mean) * (f - mean);
    double std = Math.sqrt(var / v.length);
    float[] out = new float[v.length];
    for (int i = 0; i < out.length; i++) out[i] = (float) (std * random.nextGaussian());
    return Tensor.of(out, w.shape());
  }
}
