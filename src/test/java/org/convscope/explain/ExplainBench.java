package org.convscope.explain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.convscope.model.Model;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;

/**
 * One attribution method on one batch, timed, for the side-by-side with bench/torch_explain_bench.py (issue 4).
 * Not a test; bench/explain_bench.sh runs it once per method and batch, each in a fresh JVM so that the peak
 * resident memory (VmHWM) is that method's:
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx8g -cp target/classes:target/test-classes:$(cat target/cp.txt) org.convscope.explain.ExplainBench \
 *     MODEL.onnx INPUT.npy METHOD [BATCH_SIZE]
 * </pre>
 *
 * Each method runs with its default options (the same as the PyTorch script's): SmoothGrad 32 samples at noise
 * 0.15, Integrated Gradients 50 Gauss-Legendre points from a zero baseline, RISE 1,000 masks of 7x7 cells kept
 * with p 0.5, occlusion window 16 stride 8 with baseline 0, Score-CAM over every non-constant channel; the
 * batched ones put {@code BATCH_SIZE} (default 32) variants in each forward pass. The target is each item's
 * predicted class, the layer the last one before global pooling, named to the query as a user names it (so
 * the query records the forward pass from that layer on). Two input gradients are taken first as a warm-up
 * (JIT, oneDNN primitives, and the timing of backward-data implementations, which a process does once per
 * convolution, on its second backward pass); the time covers the method's recorded forward pass and all its
 * work. With the
 * environment variable QUICK=1 the sampling methods take a few samples only, to check the scripts.
 */
public final class ExplainBench {
  private ExplainBench() {}

  public static void main(String[] args) throws IOException {
    Path modelFile = Path.of(args[0]);
    Tensor input = Npy.readFloat(Path.of(args[1]));
    String method = args[2];
    int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    Model model = Model.load(modelFile);
    Explainer explainer = "1".equals(System.getenv("QUICK")) ? quick(method, batchSize) : switch (method) {
      case Occlusion.NAME -> new Occlusion(new Occlusion.Options(16, 8, 0f, batchSize));
      default -> Explainers.create(method, batchSize);
    };

    // Two input gradients: the second pass of each convolution times its backward-data implementations once.
    Query warmUp = Query.predicted(model, input, null);
    new Saliency().explain(warmUp);
    new Saliency().explain(Query.predicted(model, input, null));
    // The layer named, as pytorch-grad-cam's users name theirs, so the query records from it on only.
    String layer = explainer.usesLayer() ? warmUp.layer().name() : null;
    long start = System.nanoTime();
    Query query = Query.predicted(model, input, layer);
    Attribution a = explainer.explain(query);
    double seconds = (System.nanoTime() - start) / 1e9;

    int[] targets = new int[query.size()];
    for (int i = 0; i < targets.length; i++) targets[i] = query.target(i);
    double sum = 0;
    double max = 0;
    for (float v : a.map().data()) {
      sum += v;
      max = Math.max(max, Math.abs(v));
    }
    String name = modelFile.getParent() == null ? modelFile.toString() : modelFile.getParent().getFileName().toString();
    System.out.printf(Locale.ROOT, "convscope %s batch %d method %s seconds %.3f peak_rss_mb %d layer %s targets %s map %s sum %.6g absmax %.6g%n",
        name, input.dim(0), method, seconds, peakRssMb(), explainer.usesLayer() ? query.layer().name() : "-",
        Arrays.toString(targets).replace(" ", ""), Arrays.toString(a.map().shape()).replace(" ", ""), sum, max);
  }

  /**
   * With QUICK=1, as in the PyTorch script: a few samples only, to check that the scripts run, not to time them:
   * SmoothGrad 4 samples, Integrated Gradients 4 points, RISE 32 masks, occlusion window 64 stride 32.
   */
  private static Explainer quick(String method, int batchSize) {
    return switch (method) {
      case SmoothGrad.NAME -> new SmoothGrad(new SmoothGrad.Options(4, 0.15, 0, batchSize));
      case IntegratedGradients.NAME -> new IntegratedGradients(new IntegratedGradients.Options(4, 0f,
          IntegratedGradients.Rule.GAUSS_LEGENDRE, batchSize));
      case Rise.NAME -> new Rise(new Rise.Options(32, 7, 0.5, 0, batchSize));
      case Occlusion.NAME -> new Occlusion(new Occlusion.Options(64, 32, 0f, batchSize));
      default -> Explainers.create(method, batchSize);
    };
  }

  /** VmHWM of this process in MiB, -1 where /proc is missing. */
  static long peakRssMb() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String line : lines) if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }
}
