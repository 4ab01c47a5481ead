package org.convscope.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convscope.data.Dataset;
import org.convscope.data.FashionMnist;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.Graph;
import org.convscope.engine.Node;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * Training speed of the demo architecture on Fashion-MNIST, the peer of bench/torch_train_epoch.py: the first
 * {@code batches} shuffled batches of 128 with Adam (lr 0.003), no augmentation, as {@code train --arch demo}
 * runs them through {@link Trainer#fit}. Prints the same line as the peer script: the time of all batches, and
 * seconds per epoch (469 batches) estimated from the batches after the first 10 (warm-up: JIT, oneDNN
 * primitives). With {@code --profile}, every node's op is timed (forward, backward) and the rest of the step is
 * reported as "other" (loss, optimizer, data); the timed ops are wrappers that oneDNN cannot fuse, so the
 * profile is of the unfused step, in Java arrays between ops (use ONEDNN_VERBOSE=profile_exec for the fused
 * one). Not a test; run it alone:
 *
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE java -Xmx4g -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     org.convscope.train.TrainBench 100 [--profile]
 * </pre>
 */
public final class TrainBench {
  private static final int WARMUP = 10;

  private TrainBench() {}

  public static void main(String[] args) throws IOException {
    int batches = Integer.parseInt(args[0]);
    boolean profile = List.of(args).contains("--profile");
    int batchSize = 128;
    Dataset train = FashionMnist.open(FashionMnist.Split.TRAIN);
    Graph graph = Architecture.demo(1, 28, 28, 10).build(1, Map.of());
    Map<String, long[]> opTimes = new LinkedHashMap<>();
    if (profile) graph = timed(graph, opTimes);
    TrainOptions options = new TrainOptions(1, batchSize, 0.003, "adam", 0, 1, false,
        new float[] {0.286f}, new float[] {0.353f});
    long[] stamps = new long[batches + 1];
    long[] cpu = new long[batches + 1];
    int[] done = {0};
    stamps[0] = System.nanoTime();
    cpu[0] = processCpuNanos();
    TrainingListener clock = new TrainingListener() {
      @Override
      public void stepDone(int epoch, int step, double meanLoss, double accuracy, int examples) {
        stamps[++done[0]] = System.nanoTime();
        cpu[done[0]] = processCpuNanos();
        if (done[0] == WARMUP) reset(opTimes);
        if (done[0] == batches) {
          System.out.printf(Locale.ROOT, "after %d batches: loss %.4f accuracy %.4f%n", batches, meanLoss, accuracy);
        }
      }
    };
    Trainer.fit(graph, train, null, options, clock, (g, e) -> { }, () -> done[0] >= batches);
    double all = (stamps[batches] - stamps[0]) / 1e9;
    int w = Math.min(WARMUP, batches - 1);
    double steady = (stamps[batches] - stamps[w]) / 1e9 / (batches - w);
    double steadyCpu = (cpu[batches] - cpu[w]) / 1e9 / (batches - w);
    int perEpoch = (train.size() + batchSize - 1) / batchSize;
    System.out.printf(Locale.ROOT, "convscope demo-arch batch %d batches %d seconds %.1f ms_per_batch %.1f epoch_seconds_est %.1f"
        + " cpu_ms_per_batch %.1f%n", batchSize, batches, all, steady * 1e3, steady * perEpoch, steadyCpu * 1e3);
    if (profile) {
      double stepMs = steady * 1e3;
      double stepCpuMs = steadyCpu * 1e3;
      System.out.printf(Locale.ROOT, "per batch after warm-up, ms of wall time (of %.1f) and of process CPU time (of %.1f):%n",
          stepMs, stepCpuMs);
      int counted = batches - WARMUP;
      long wall = 0;
      long cpuTotal = 0;
      for (Map.Entry<String, long[]> e : opTimes.entrySet()) {
        long[] t = e.getValue();
        wall += t[0] + t[1];
        cpuTotal += t[2] + t[3];
        System.out.printf(Locale.ROOT, "  %-56s forward %7.2f cpu %7.2f  backward %7.2f cpu %7.2f%n", e.getKey(),
            t[0] / 1e6 / counted, t[2] / 1e6 / counted, t[1] / 1e6 / counted, t[3] / 1e6 / counted);
      }
      System.out.printf(Locale.ROOT, "  %-56s         %7.2f cpu %7.2f%n", "other (loss, optimizer, data, bookkeeping)",
          stepMs - wall / 1e6 / counted, stepCpuMs - cpuTotal / 1e6 / counted);
    }
  }

  /** CPU time of the whole process, oneDNN's OpenMP threads included. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static void reset(Map<String, long[]> times) {
    for (long[] t : times.values()) java.util.Arrays.fill(t, 0);
  }

  /** The same graph with every op timed: wall time of forward and backward, then process CPU time of both. */
  private static Graph timed(Graph graph, Map<String, long[]> times) {
    List<Node> nodes = new ArrayList<>();
    for (Node n : graph.nodes()) {
      long[] t = times.computeIfAbsent(n.opType() + " " + n.name(), k -> new long[4]);
      Op op = n.op();
      Op timedOp = new Op() {
        @Override
        public Tensor[] forward(ExecutionContext context, Tensor[] inputs) {
          long start = System.nanoTime();
          long cpuStart = processCpuNanos();
          Tensor[] out = op.forward(context, inputs);
          t[0] += System.nanoTime() - start;
          t[2] += processCpuNanos() - cpuStart;
          return out;
        }

        @Override
        public Tensor[] backward(ExecutionContext context, Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads,
            boolean[] needed) {
          long start = System.nanoTime();
          long cpuStart = processCpuNanos();
          Tensor[] out = op.backward(context, inputs, outputs, outputGrads, needed);
          t[1] += System.nanoTime() - start;
          t[3] += processCpuNanos() - cpuStart;
          return out;
        }
      };
      nodes.add(new Node(n.name(), n.opType(), n.inputs(), n.outputs(), n.attributes(), n.metadata(), timedOp));
    }
    return new Graph(graph.name(), nodes, graph.initializers(), graph.inputs(), graph.outputs(), graph.metadata(),
        graph.opset());
  }
}
