package org.convscope.engine.ops;

import java.util.Arrays;
import java.util.Locale;
import org.convscope.engine.ExecutionContext;
import org.convscope.engine.GradCheck;
import org.convscope.engine.Op;
import org.convscope.tensor.Tensor;

/**
 * Times Conv through the op interface (row-major tensors in and out, so copies and reorders included) on the
 * four ResNet-shaped convolutions of the oneDNN benchmark in shared/peer/onednn-conv-bench, and prints
 * the median and best milliseconds and GFLOP/s per pass (the best is the steadier figure on a busy machine). Not a test (surefire runs *Test classes only); run it alone on an idle
 * machine, with OMP_NUM_THREADS set:
 *
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * OMP_NUM_THREADS=2 java -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     org.convscope.engine.ops.ConvolutionBench [warmups] [runs]
 * </pre>
 */
public final class ConvolutionBench {
  private ConvolutionBench() {}

  private record Shape(String name, int batch, int channels, int outChannels, int size, int kernel, int stride,
      int pad) {
    int outSize() {
      return (size + 2 * pad - kernel) / stride + 1;
    }

    double flops() {
      return 2.0 * batch * outChannels * channels * kernel * kernel * outSize() * outSize();
    }
  }

  @FunctionalInterface
  private interface Body {
    void run();
  }

  public static void main(String[] args) {
    int warmups = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Shape[] shapes = {
        new Shape("A", 1, 64, 64, 56, 3, 1, 1),
        new Shape("B", 1, 256, 512, 28, 1, 1, 0),
        new Shape("C", 1, 3, 64, 224, 7, 2, 3),
        new Shape("D", 8, 128, 128, 28, 3, 1, 1)};
    System.out.println("OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + ", " + runs + " runs after "
        + warmups + " warm-ups");
    ExecutionContext context = ExecutionContext.inference();
    for (Shape s : shapes) {
      Op conv = new Conv(ConvTesting.spec("Conv", "strides", new int[] {s.stride, s.stride},
          "pads", new int[] {s.pad, s.pad, s.pad, s.pad}));
      Tensor x = GradCheck.randn(1, 0, s.batch, s.channels, s.size, s.size);
      Tensor w = GradCheck.randn(2, 0, s.outChannels, s.channels, s.kernel, s.kernel);
      Tensor b = GradCheck.randn(3, 0, s.outChannels);
      Tensor[] in = {x, w, b};
      Tensor[] out = conv.forward(context, in);
      Tensor[] dy = {GradCheck.randn(4, 0, out[0].shape())};
      report(s, "forward", time(warmups, runs, () -> conv.forward(context, in)));
      report(s, "backward to data", time(warmups, runs,
          () -> conv.backward(context, in, out, dy, new boolean[] {true, false, false})));
      report(s, "backward to weights+bias", time(warmups, runs,
          () -> conv.backward(context, in, out, dy, new boolean[] {false, true, true})));
    }
  }

  /** Milliseconds per run, sorted. */
  private static double[] time(int warmups, int runs, Body body) {
    for (int i = 0; i < warmups; i++) body.run();
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      body.run();
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(ms);
    return ms;
  }

  private static void report(Shape s, String pass, double[] sortedMs) {
    int n = sortedMs.length;
    double median = n % 2 == 1 ? sortedMs[n / 2] : (sortedMs[n / 2 - 1] + sortedMs[n / 2]) / 2;
    double best = sortedMs[0];
    System.out.printf(Locale.ROOT, "%s %-26s median %9.3f ms %7.1f GFLOP/s   best %9.3f ms %7.1f GFLOP/s%n", s.name,
        pass, median, s.flops() / (median * 1e6), best, s.flops() / (best * 1e6));
  }
}
