package org.convscope.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.convscope.engine.BackwardRules;
import org.convscope.engine.ForwardOptions;
import org.convscope.engine.Graph;
import org.convscope.engine.Network;
import org.convscope.engine.Trace;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;

/**
 * Runs torchvision's classifiers, as exported by {@code bench/export_torchvision.py}, and compares the logits
 * with PyTorch's: max|a - b| &le; 1e-3 * max|b| + 1e-5. With {@code --backward} it also compares the input
 * gradient of the top logit with PyTorch's ({@code saliency.npy}, where the export wrote one):
 * max|a - b| &le; 1e-3 * max|b|, and writes its own gradient to {@code convscope-saliency.npy} for
 * {@code bench/torchvision_float64.py}, which judges both against a float64 gradient. Not a test:
 * the models are large and slow, so it is run by hand (see docs/TORCHVISION.md).
 *
 * <p>Usage: {@code TorchvisionCheck [--backward] FOLDER [MODEL ...]}, where FOLDER holds one folder per model
 * (model.onnx, input.npy, logits.npy); models run smallest file first. Prints one line per model and appends
 * it to FOLDER/convscope-check.tsv.
 */
public final class TorchvisionCheck {
  private TorchvisionCheck() {}

  /** One model's outcome: status is ok, mismatch or error; detail is the error or the worst difference. */
  private record Result(String model, String status, String detail, double seconds) {
    String line() {
      return String.format(Locale.ROOT, "%-20s %-8s %6.1fs  %s", model, status, seconds, detail);
    }
  }

  public static void main(String[] args) throws IOException {
    List<String> rest = new ArrayList<>(List.of(args));
    boolean backward = rest.remove("--backward");
    if (rest.isEmpty()) {
      System.err.println("usage: TorchvisionCheck [--backward] FOLDER [MODEL ...]");
      System.exit(2);
    }
    Path root = Path.of(rest.remove(0));
    List<Path> models;
    try (Stream<Path> dirs = Files.list(root)) {
      models = dirs.filter(d -> Files.exists(d.resolve("logits.npy")))
          .filter(d -> rest.isEmpty() || rest.contains(d.getFileName().toString()))
          .sorted(Comparator.comparingLong(TorchvisionCheck::modelBytes))
          .toList();
    }
    for (Path dir : models) {
      Result r = check(dir, backward);
      System.out.println(r.line());
      String tsv = String.join("\t", r.model, r.status, String.format(Locale.ROOT, "%.1f", r.seconds), r.detail) + "\n";
      Files.writeString(root.resolve("convscope-check.tsv"), tsv, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }

  private static Result check(Path dir, boolean backward) {
    String name = dir.getFileName().toString();
    long start = System.nanoTime();
    try {
      Graph graph = OnnxImporter.load(dir.resolve("model.onnx"));
      Network network = new Network(graph);
      Tensor input = Npy.readFloat(dir.resolve("input.npy"));
      Tensor expected = Npy.readFloat(dir.resolve("logits.npy"));
      Path saliencyFile = dir.resolve("saliency.npy");
      boolean withGradient = backward && Files.exists(saliencyFile);
      ForwardOptions options = withGradient ? ForwardOptions.forBackward() : ForwardOptions.inference();
      Trace trace = network.forward(Map.of(network.inputName(), input), options);
      Tensor logits = trace.get(network.outputName());
      Comparison forward = Comparison.of(expected, logits);
      String detail = "logits " + forward;
      boolean ok = forward.withinTolerance();
      if (withGradient) {
        Tensor seed = Tensor.zeros(logits.shape());
        seed.data()[argmax(expected.data())] = 1;
        Tensor gradient = network.backward(trace, Map.of(network.outputName(), seed), List.of(network.inputName()),
            BackwardRules.DEFAULT).get(network.inputName());
        Npy.write(dir.resolve("convscope-saliency.npy"), gradient); // for bench/torchvision_float64.py
        Comparison saliency = Comparison.of(Npy.readFloat(saliencyFile), gradient);
        detail += "; input gradient " + saliency;
        ok &= saliency.withinRelativeTolerance();
      }
      return new Result(name, ok ? "ok" : "mismatch", detail, seconds(start));
    } catch (Exception | OutOfMemoryError e) {
      String message = String.valueOf(e.getMessage()).replace('\n', ' ');
      return new Result(name, "error", e.getClass().getSimpleName() + ": " + message, seconds(start));
    }
  }

  /** The worst absolute difference, and the largest expected magnitude it is judged against. */
  private record Comparison(double maxError, double scale, boolean sameShape) {
    static Comparison of(Tensor expected, Tensor got) {
      if (!Arrays.equals(expected.shape(), got.shape())) return new Comparison(Double.POSITIVE_INFINITY, 0, false);
      float[] e = expected.data();
      float[] g = got.data();
      double scale = 0;
      double worst = 0;
      for (int i = 0; i < e.length; i++) {
        scale = Math.max(scale, Math.abs(e[i]));
        double d = Math.abs((double) e[i] - g[i]);
        worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
      }
      return new Comparison(worst, scale, true);
    }

    /** The logits tolerance: 1e-3 * max|b| + 1e-5. */
    boolean withinTolerance() {
      return maxError <= 1e-3 * scale + 1e-5;
    }

    /**
     * The gradient tolerance, 1e-3 * max|b| alone: with random weights input gradients are often far below the
     * 1e-5 floor, which would pass anything.
     */
    boolean withinRelativeTolerance() {
      return maxError <= 1e-3 * scale;
    }

    @Override
    public String toString() {
      if (!sameShape) return "have the wrong shape";
      return String.format(Locale.ROOT, "max|a-b| %.1e = %.1e of max|b| %.1e", maxError, maxError / scale, scale);
    }
  }

  private static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    return best;
  }

  private static long modelBytes(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
