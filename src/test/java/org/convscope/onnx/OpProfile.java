package org.convscope.onnx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.engine.Network;
import org.convscope.engine.Node;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * Where a model's time goes, by op type: runs the graph's nodes one by one (forward, then the backward pass
 * from one logit to the input, every node's input gradient only) and prints the median milliseconds each op
 * type takes per run, beside the whole {@link Network#forward} time for comparison. Not a test; run it by
 * hand with OMP_NUM_THREADS set:
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE java -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     org.convscope.onnx.OpProfile MODEL.onnx [batch] [runs]
 * </pre>
 */
public final class OpProfile {
  private OpProfile() {}

  public static void main(String[] args) {
    Graph graph = OnnxImporter.load(Path.of(args[0]));
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 7;
    Network network = new Network(graph);
    int[] shape = graph.inputs().get(0).dims().clone();
    shape[0] = batch;
    for (int i = 1; i < shape.length; i++) if (shape[i] < 0) shape[i] = 224;
    Tensor x = Tensor.zeros(shape);
    Random random = new Random(1);
    for (int i = 0; i < x.size(); i++) x.data()[i] = (float) random.nextGaussian();

    Map<String, List<Double>> forward = new TreeMap<>();
    Map<String, List<Double>> backward = new TreeMap<>();
    List<Double> whole = new ArrayList<>();
    for (int run = -2; run < runs; run++) {
      Map<String, Double> f = new HashMap<>();
      Map<String, Double> b = new HashMap<>();
      Map<String, Tensor> values = forwardTimed(graph, x, f);
      backwardTimed(graph, values, b);
      long start = System.nanoTime();
      network.forward(Map.of(network.inputName(), x), ForwardOptions.inference());
      double ms = (System.nanoTime() - start) / 1e6;
      if (run < 0) continue;
      whole.add(ms);
      f.forEach((k, v) -> forward.computeIfAbsent(k, z -> new ArrayList<>()).add(v));
      b.forEach((k, v) -> backward.computeIfAbsent(k, z -> new ArrayList<>()).add(v));
    }
    System.out.printf(Locale.ROOT, "%s batch %d: Network.forward %.1f ms (median of %d)%n", args[0], batch,
        median(whole), runs);
    print("forward", forward);
    print("backward to the input", backward);
  }

  private static Map<String, Tensor> forwardTimed(Graph graph, Tensor x, Map<String, Double> times) {
    ExecutionContext context = ExecutionContext.inference();
    Map<String, Tensor> values = new HashMap<>(graph.initializers());
    values.put(graph.inputs().get(0).name(), x);
    for (Node node : graph.nodes()) {
      Tensor[] inputs = new Tensor[node.inputs().size()];
      for (int j = 0; j < inputs.length; j++) inputs[j] = node.input(j).isEmpty() ? null : values.get(node.input(j));
      long start = System.nanoTime();
      Tensor[] outputs = node.op().forward(context, inputs);
      times.merge(node.opType(), (System.nanoTime() - start) / 1e6, Double::sum);
      for (int j = 0; j < outputs.length && j < node.outputs().size(); j++) values.put(node.outputs().get(j), outputs[j]);
    }
    return values;
  }

  /** Input gradients of every float input that is not an initializer, from logit 0 of every image. */
  private static void backwardTimed(Graph graph, Map<String, Tensor> values, Map<String, Double> times) {
    ExecutionContext context = ExecutionContext.inference();
    Map<String, Tensor> grads = new HashMap<>();
    String out = graph.outputs().get(0).name();
    Tensor logits = values.get(out);
    Tensor seed = Tensor.zeros(logits.shape());
    for (int n = 0; n < logits.dim(0); n++) seed.data()[n * logits.dim(1)] = 1;
    grads.put(out, seed);
    List<Node> nodes = graph.nodes();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node node = nodes.get(i);
      Tensor g = grads.get(node.output());
      if (g == null) continue;
      Tensor[] inputs = new Tensor[node.inputs().size()];
      boolean[] needed = new boolean[inputs.length];
      boolean any = false;
      for (int j = 0; j < inputs.length; j++) {
        String in = node.input(j);
        inputs[j] = in.isEmpty() ? null : values.get(in);
        needed[j] = !in.isEmpty() && !graph.initializers().containsKey(in) && inputs[j].isFloat();
        any |= needed[j];
      }
      if (!any) continue;
      Tensor[] outputs = new Tensor[node.outputs().size()];
      Tensor[] outputGrads = new Tensor[outputs.length];
      for (int j = 0; j < outputs.length; j++) {
        outputs[j] = values.get(node.outputs().get(j));
        outputGrads[j] = j == 0 ? g : Tensor.zeros(outputs[j].dtype(), outputs[j].shape());
      }
      Op op = node.op();
      long start = System.nanoTime();
      Tensor[] inputGrads = op.backward(context, inputs, outputs, outputGrads, needed);
      times.merge(node.opType(), (System.nanoTime() - start) / 1e6, Double::sum);
      for (int j = 0; j < inputs.length; j++) {
        if (!needed[j] || inputGrads[j] == null) continue;
        grads.merge(node.input(j), inputGrads[j], (a, c) -> {
          float[] s = a.data().clone();
          for (int k = 0; k < s.length; k++) s[k] += c.data()[k];
          return Tensor.of(s, a.shape());
        });
      }
    }
  }

  private static void print(String title, Map<String, List<Double>> times) {
    double total = 0;
    for (List<Double> t : times.values()) total += median(t);
    System.out.printf(Locale.ROOT, "  %s: %.1f ms in ops%n", title, total);
    for (Map.Entry<String, List<Double>> e : times.entrySet()) {
      double m = median(e.getValue());
      if (m >= 0.05) System.out.printf(Locale.ROOT, "    %-20s %8.2f ms%n", e.getKey(), m);
    }
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
