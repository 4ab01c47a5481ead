package org.convscope.cli;

import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.explain.Layer;
import org.convscope.inspect.ModelSummary;
import org.convscope.model.Model;
import org.convscope.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code convscope bench MODEL}: median times of a forward pass, of the gradient of one logit with respect to
 * the input (saliency), and of its gradient with respect to a late layer (the Grad-CAM case).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time forward, backward-to-input and backward-to-layer passes (medians).")
final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--batch", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch = 1;

  @Option(names = "--runs", paramLabel = "R", description = "Timed runs per measurement (default: ${DEFAULT-VALUE}).")
  int runs = 10;

  @Option(names = "--warmup", paramLabel = "W", description = "Untimed runs first, at least (default: ${DEFAULT-VALUE}); more follow while the JIT compiler is busy.")
  int warmup = 3;

  @Option(names = "--warmup-limit", paramLabel = "SECONDS", description = "Longest warm-up per measurement, waiting for the JIT compiler to settle (default: ${DEFAULT-VALUE}; 0: just W runs).")
  double warmupLimit = 30;

  @Option(names = "--layer", paramLabel = "NAME", description = "Layer for the backward-to-layer case (default: the last spatial layer).")
  String layer;

  @Option(names = "--input-size", paramLabel = "PIXELS", description = "Height and width when the model leaves them free (default: ${DEFAULT-VALUE}).")
  int inputSize = 224;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (batch < 1 || runs < 1 || warmup < 0 || !(warmupLimit >= 0)) {
      throw new UserException("--batch and --runs must be at least 1, --warmup and --warmup-limit at least 0");
    }
    Model m = Model.load(model);
    Network net = m.network();
    int[] shape = ModelSummary.probeShape(m.inputInfo(), inputSize);
    shape[0] = batch;
    Tensor x = Tensor.zeros(shape);
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < x.size(); i++) x.data()[i] = (float) random.nextGaussian();
    String target = layer != null ? m.resolveLayer(layer) : lastSpatialLayer(m, shape);
    Map<String, Tensor> feeds = Map.of(m.input(), x);
    Tensor logits = net.predict(x);
    Tensor seed = Tensor.zeros(logits.shape());
    for (int n = 0; n < batch; n++) seed.data()[n * logits.dim(1)] = 1;
    Map<String, Tensor> seeds = Map.of(m.output(), seed);

    Timing forward = median("forward", () -> net.forward(feeds, ForwardOptions.inference()));
    Timing toInput = median("backward to the input", () -> {
      try (Trace t = net.forward(feeds, ForwardOptions.forBackward())) {
        net.backward(t, seeds, List.of(m.input()), BackwardRules.DEFAULT);
      }
    });
    Timing toLayer = median("backward to the layer", () -> {
      // As an explanation query for a named layer records it: fused up to the layer (Grad-CAM).
      try (Trace t = net.forward(feeds, ForwardOptions.forBackwardTo(target))) {
        net.backward(t, seeds, List.of(target), BackwardRules.DEFAULT);
      }
    });
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s batch %d (%d runs, medians; warm-up runs and seconds in brackets; %s)%n", model, batch, runs,
        openMpSettings());
    out.printf("forward                 %9.2f ms  [%s]%n", forward.median(), forward.warmUp());
    out.printf("forward+backward input  %9.2f ms  [%s]%n", toInput.median(), toInput.warmUp());
    out.printf("forward+backward layer  %9.2f ms  [%s]  (%s)%n", toLayer.median(), toLayer.warmUp(), target);
    return 0;
  }

  /** The environment's settings of how oneDNN's OpenMP threads run, which the timings depend on. */
  private static String openMpSettings() {
    StringBuilder b = new StringBuilder();
    for (String name : new String[] {"OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT"}) {
      String value = System.getenv(name);
      if (value != null) b.append(b.length() == 0 ? "" : ", ").append(name).append('=').append(value);
    }
    return b.length() == 0 ? "OpenMP's defaults" : b.toString();
  }

  /** A median in milliseconds, and how the warm-up before it went. */
  private record Timing(double median, String warmUp) {}

  /** The median of {@code --runs} timed runs after the warm-up, with a progress bar for each on stderr. */
  private Timing median(String task, Runnable body) {
    String warmUp;
    // The warm-up's length is not known ahead: the bar counts runs, with no time left.
    try (ProgressBar bar = Progress.bar(task + ", warm-up", -1, "runs")) {
      warmUp = warmUp(() -> {
        body.run();
        bar.step();
      });
    }
    double[] t = new double[runs];
    try (ProgressBar bar = Progress.bar(task, runs, "runs")) {
      for (int i = 0; i < runs; i++) {
        long start = System.nanoTime();
        body.run();
        t[i] = (System.nanoTime() - start) / 1e6;
        bar.step();
      }
    }
    Arrays.sort(t);
    return new Timing(runs % 2 == 1 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2, warmUp);
  }

  /**
   * Untimed runs of {@code body}: {@code --warmup} of them, then more until the JIT compiler has settled (it
   * spent at most 2% of each of two consecutive seconds of runs compiling) or {@code --warmup-limit} seconds have
   * passed. One quiet second was not enough: resnet50's forward pass at batch 1 stopped warming up after 3.6 s
   * twice and measured 45 and 47 ms, against 33 ms after the usual 8.5 s. Returns how
   * many runs and seconds that took. The compiler's threads share the cores with oneDNN's for the first seconds
   * of a process and leave the engine's Java code half-compiled until then: on 2 cores, mobilenet_v2's forward
   * pass at batch 8 took 36 to 44 ms in its first 125 runs and 30 ms after. ONNX Runtime and PyTorch compile
   * nothing, so a steady-state median is the one to set beside theirs.
   */
  private String warmUp(Runnable body) {
    long start = System.nanoTime();
    int done = 0;
    for (; done < warmup; done++) body.run();
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean watch = warmupLimit > 0 && jit != null && jit.isCompilationTimeMonitoringSupported();
    long limit = start + (long) (warmupLimit * 1e9);
    long windowStart = System.nanoTime();
    long compiledBefore = watch ? jit.getTotalCompilationTime() : 0;
    int quietWindows = 0;
    while (watch && System.nanoTime() < limit) {
      body.run();
      done++;
      long now = System.nanoTime();
      if (now - windowStart < 1_000_000_000L) continue;
      long compiled = jit.getTotalCompilationTime();
      quietWindows = compiled - compiledBefore <= 0.02 * (now - windowStart) / 1e6 ? quietWindows + 1 : 0;
      if (quietWindows == 2) break;
      windowStart = now;
      compiledBefore = compiled;
    }
    return String.format("%d, %.1f s", done, (System.nanoTime() - start) / 1e9);
  }

  /** The layer class activation maps use by default (see {@link Layer#defaultTensor}), as Grad-CAM would. */
  private static String lastSpatialLayer(Model m, int[] shape) {
    Tensor probe = Tensor.zeros(1, shape[1], shape[2], shape[3]);
    String last;
    try (Trace trace = m.network().forward(Map.of(m.input(), probe), ForwardOptions.forBackward())) {
      last = Layer.defaultTensor(m.graph(), trace);
    }
    if (last == null) throw new UserException(m.source() + " has no layer with spatial extent");
    return last;
  }
}
