package org.convscope.units;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.data.FashionMnist;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.model.ModelPreprocessing;
import org.convscope.report.Demo;
import org.convscope.tensor.Tensor;

/**
 * The unit-analysis benchmarks of issue 5, for docs/BENCHMARKS.md. Not a test; run it alone on an idle machine:
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * CP=target/classes:target/test-classes:$(cat target/cp.txt)
 * OMP_WAIT_POLICY=PASSIVE java -Xmx8g -cp $CP org.convscope.units.UnitsBench patches-demo 10000
 * OMP_WAIT_POLICY=PASSIVE java -Xmx8g -cp $CP org.convscope.units.UnitsBench patches-resnet18 1000 [MODEL.onnx]
 * OMP_WAIT_POLICY=PASSIVE java -Xmx8g -cp $CP org.convscope.units.UnitsBench visualize-resnet18 20 [MODEL.onnx]
 * </pre>
 *
 * <ul>
 *   <li>{@code patches-demo N}: the top-9 patches pass ({@link MaximallyActivatingPatches}, all 128 channels of
 *       the last stage, batches of 256) over the first N Fashion-MNIST test images (Debian's
 *       {@code dataset-fashion-mnist}; the demo's 2,000 when it is not installed) with the demo model.</li>
 *   <li>{@code patches-resnet18 N}: the same pass at resnet18's layer4 (512 channels, 7x7) over N generated
 *       224x224 images (uniform noise, made as each batch is read), batches of 32.</li>
 *   <li>{@code visualize-resnet18 STEPS}: class-logit gradient ascent from grey at 224x224, one image, with
 *       jitter and the Fourier parameterization off and on; the time per step after two warm-up steps.</li>
 * </ul>
 * Each prints one line with the figure, and the process's peak resident memory (VmHWM).
 */
public final class UnitsBench {
  private static final Path RESNET18 = Path.of("/tmp/tv-onnx/opset13/resnet18/model.onnx");

  private UnitsBench() {}

  public static void main(String[] args) throws Exception {
    String what = args[0];
    int n = Integer.parseInt(args[1]);
    Path model = args.length > 2 ? Path.of(args[2]) : RESNET18;
    switch (what) {
      case "patches-demo" -> patchesDemo(n);
      case "patches-resnet18" -> patches(Model.load(model), new RandomImages(n, 3, 224, 224), "layer4", 32, "resnet18");
      case "visualize-resnet18" -> visualize(Model.load(model), n);
      default -> throw new IllegalArgumentException("unknown benchmark " + what);
    }
  }

  private static void patchesDemo(int n) throws IOException {
    Model model = Model.load(Demo.extractModel(Files.createTempDirectory("units-bench")));
    Dataset all = Files.isDirectory(FashionMnist.DEFAULT_DIR) ? FashionMnist.open(FashionMnist.Split.TEST) : Demo.data();
    Dataset data = n >= all.size() ? all : new FirstImages(all, n);
    patches(model, data, "stage3.relu1", 256, "demo");
  }

  private static void patches(Model model, Dataset data, String layer, int batch, String name) {
    Preprocessing p = ModelPreprocessing.of(model).withChannels(data.channels());
    MaximallyActivatingPatches.Options options = MaximallyActivatingPatches.Options.defaults().withBatchSize(batch);
    // Warm up (JIT, oneDNN primitives) on one batch, then time the whole pass.
    MaximallyActivatingPatches.find(model, p, new FirstImages(data, Math.min(batch, data.size())), layer, options,
        PassListener.NONE, () -> false);
    long start = System.nanoTime();
    MaximallyActivatingPatches.Result r = MaximallyActivatingPatches.find(model, p, data, layer, options, PassListener.NONE, () -> false);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "convscope_patches %s %s images %d channels %d seconds %.2f images_per_second %.1f peak_rss_mb %d%n",
        name, layer, r.images(), r.units().size(), seconds, r.images() / seconds, peakRssMb());
  }

  private static void visualize(Model model, int steps) {
    Preprocessing p = ModelPreprocessing.of(model);
    for (boolean fourier : new boolean[] {false, true}) {
      GradientAscent.Options options = GradientAscent.Options.defaults().withJitter(8).withFourier(fourier);
      GradientAscent.Start start = new GradientAscent.Blank(224, 224);
      GradientAscent.run(model, p, new Objective.ClassScore(1), start, options.withSteps(2), StepListener.NONE, () -> false);
      long t0 = System.nanoTime();
      GradientAscent.Result r = GradientAscent.run(model, p, new Objective.ClassScore(1), start, options.withSteps(steps),
          StepListener.NONE, () -> false);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "convscope_visualize resnet18 class 1 fourier %s steps %d ms_per_step %.1f logit %.3f -> %.3f peak_rss_mb %d%n",
          fourier, steps, 1000 * seconds / steps, r.objective()[0], r.objective()[steps], peakRssMb());
    }
  }

  /** VmHWM of this process in MiB, -1 where /proc is missing. */
  static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }

  /** The first n images of a dataset. */
  private record FirstImages(Dataset data, int n) implements Dataset {
    @Override public String name() { return data.name() + " (first " + n + ")"; }
    @Override public int size() { return n; }
    @Override public int channels() { return data.channels(); }
    @Override public int height() { return data.height(); }
    @Override public int width() { return data.width(); }
    @Override public List<String> classNames() { return data.classNames(); }
    @Override public int label(int index) { return data.label(index); }
    @Override public Batch batch(int[] indices) throws IOException { return data.batch(indices); }
  }

  /** Uniform noise pixels, image i from seed i, made when read: a large dataset in no memory. */
  private record RandomImages(int size, int channels, int height, int width) implements Dataset {
    @Override public String name() { return "random " + channels + "x" + height + "x" + width; }
    @Override public List<String> classNames() { return List.of(); }
    @Override public int label(int index) { return -1; }

    @Override
    public Batch batch(int[] indices) {
      int per = channels * height * width;
      float[] pixels = new float[indices.length * per];
      int[] labels = new int[indices.length];
      for (int b = 0; b < indices.length; b++) {
        Random random = new Random(indices[b]);
        for (int i = 0; i < per; i++) pixels[b * per + i] = random.nextFloat();
        labels[b] = -1;
      }
      return new Batch(Tensor.of(pixels, indices.length, channels, height, width), labels, indices.clone());
    }
  }
}
