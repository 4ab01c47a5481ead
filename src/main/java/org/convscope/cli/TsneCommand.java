package org.convscope.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import me.tongfei.progressbar.ProgressBar;
import org.convscope.embed.EmbeddingQuality;
import org.convscope.embed.FeatureDatabase;
import org.convscope.embed.Item;
import org.convscope.embed.MapThumbnails;
import org.convscope.embed.Pca;
import org.convscope.embed.Space;
import org.convscope.embed.Tsne;
import org.convscope.embed.TsneOptions;
import org.convscope.render.ChartOptions;
import org.convscope.render.PngFiles;
import org.convscope.render.ScatterPlot;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convscope tsne --db DIR --out FILE.png}: a 2-D map of a feature space, coloured by class, with a quality report. */
@Command(name = "tsne", description = "Map a feature space to 2-D with t-SNE (or PCA) and draw it coloured by class.")
final class TsneCommand implements Callable<Integer> {
  /** Neighbours for trustworthiness and class agreement. */
  private static final int QUALITY_K = 10;
  /** Trustworthiness is O(n^2 log n): it is measured on a sample this large (as scikit-learn users do). */
  private static final int TRUSTWORTHINESS_SAMPLE = 5000;
  /** Thumbnails: at most one per cell of a grid this many cells wide. */
  private static final int THUMBNAIL_GRID = 12;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "A feature database made by convscope embed.")
  Path db;

  @Option(names = "--layer", paramLabel = "NAME", description = "Which feature space, when the database holds several.")
  String layer;

  @Option(names = "--model", paramLabel = "MODEL", description = "Selects the space of this model, when the database holds several.")
  Path model;

  @Option(names = "--method", paramLabel = "tsne|pca", description = "Default: ${DEFAULT-VALUE}.")
  String method = "tsne";

  @Option(names = "--perplexity", paramLabel = "P", description = "Default: ${DEFAULT-VALUE}.")
  double perplexity = 30;

  @Option(names = "--iterations", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
  int iterations = 1000;

  @Option(names = "--seed", paramLabel = "S", description = "Default: ${DEFAULT-VALUE}.")
  long seed = 0;

  @Option(names = "--pca", paramLabel = "D", description = "Reduce to D dimensions by PCA before t-SNE; 0 keeps all (default: ${DEFAULT-VALUE}).")
  int pcaDimensions = 50;

  @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where to draw the map.")
  Path out;

  @Option(names = "--save", paramLabel = "COORDS.npy", description = "Also write the coordinates, float32 [N,2], in the database's order (dataset, then index).")
  Path save;

  @Option(names = "--thumbnails", description = "Draw small images at some points.")
  boolean thumbnails;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!method.equals("tsne") && !method.equals("pca")) throw new UserException("--method must be tsne or pca, not " + method);
    if (pcaDimensions < 0) throw new UserException("--pca must not be negative");
    TsneOptions options = TsneOptions.defaults().withPerplexity(perplexity).withIterations(iterations).withSeed(seed);
    PrintWriter stdout = spec.commandLine().getOut();
    try (FeatureDatabase database = FeatureDatabase.open(db)) {
      Space space = FeatureSpaces.select(database, layer, model);
      List<FeatureDatabase.Entry> entries = database.entries(space);
      int n = entries.size();
      int d = space.dimension();
      if (n < 3) throw new UserException(db + " holds " + n + " vectors of " + space.describe() + "; a map needs at least 3");
      float[] x = FeatureSpaces.matrix(entries, d);
      int[] labels = FeatureSpaces.labels(entries);
      long start = System.nanoTime();
      double[] input;
      int inputDims;
      String reduction = "";
      if (method.equals("pca") || pcaDimensions == 0 || d <= pcaDimensions) {
        input = toDouble(x);
        inputDims = d;
      } else {
        input = Pca.fit(x, n, d, pcaDimensions).project(x, n);
        inputDims = pcaDimensions;
        reduction = ", PCA to " + pcaDimensions;
      }
      double[] coordinates;
      String kl = "";
      if (method.equals("pca")) {
        coordinates = Pca.fit(x, n, d, 2).project(x, n);
      } else {
        Tsne.Result result;
        try (Interruption interruption = new Interruption();
            ProgressBar bar = Progress.bar("t-SNE", options.iterations(), "iterations")) {
          result = Tsne.fit(input, n, inputDims, options, (iteration, divergence) -> {
            bar.stepTo(iteration);
            if (!Double.isNaN(divergence)) bar.setExtraMessage(String.format(Locale.ROOT, " KL %.3f", divergence));
          }, interruption::requested);
        } catch (CancellationException e) {
          stdout.println("interrupted: nothing written");
          return 130;
        }
        coordinates = result.coordinates();
        kl = String.format(Locale.ROOT, "KL divergence %.3f, ", result.klDivergence());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      int[] sample = EmbeddingQuality.subsample(n, TRUSTWORTHINESS_SAMPLE, seed);
      double trust = EmbeddingQuality.trustworthiness(EmbeddingQuality.rows(input, inputDims, sample), inputDims,
          EmbeddingQuality.rows(coordinates, 2, sample), sample.length, Math.min(QUALITY_K, (sample.length - 1) / 2));
      boolean labelled = Arrays.stream(labels).anyMatch(l -> l >= 0);
      double agreement = labelled ? EmbeddingQuality.classAgreement(coordinates, labels, Math.min(QUALITY_K, n - 1)) : Double.NaN;
      stdout.printf(Locale.ROOT, "%s of %,d vectors (%s%s) in %.1f s: %strustworthiness %.4f (k=%d%s), %s%n",
          method.equals("pca") ? "PCA" : "t-SNE", n, space.describe(), reduction, seconds, kl, trust, QUALITY_K,
          sample.length < n ? String.format(Locale.ROOT, ", %,d-point sample", sample.length) : "",
          labelled ? String.format(Locale.ROOT, "%d-NN class agreement %.4f", QUALITY_K, agreement) : "no labels for class agreement");

      List<String> classNames = FeatureSpaces.classNames(database, space);
      int[] colours = new int[n];
      for (int i = 0; i < n; i++) colours[i] = Math.max(0, labels[i]);
      // Labels beyond the names (an unnamed class) are drawn by number.
      List<String> legend = !labelled ? List.of("unlabelled")
          : Arrays.stream(colours).max().orElse(0) < classNames.size() ? classNames : null;
      double[] xs = new double[n];
      double[] ys = new double[n];
      for (int i = 0; i < n; i++) {
        xs[i] = coordinates[2 * i];
        ys[i] = coordinates[2 * i + 1];
      }
      List<BufferedImage> thumbs = thumbnails ? thumbnails(coordinates, entries, new FeatureSpaces.Images(database)) : null;
      String title = (method.equals("pca") ? "PCA" : "t-SNE") + " of " + space.layer() + " of " + space.modelName()
          + String.format(Locale.ROOT, " (%,d images)", n);
      PngFiles.write(ScatterPlot.render(xs, ys, colours, legend, thumbs,
          ChartOptions.defaults().withSize(1000, 760).withTitle(title)).image(), out);
      stdout.println("map drawn to " + out);
      if (save != null) {
        float[] f = new float[2 * n];
        for (int c = 0; c < f.length; c++) f[c] = (float) coordinates[c];
        Npy.write(save, Tensor.of(f, n, 2));
        stdout.println("coordinates written to " + save);
      }
    }
    return 0;
  }

  /** One image per cell of a coarse grid over the map: the point nearest the cell's centre. */
  private static List<BufferedImage> thumbnails(double[] coordinates, List<FeatureDatabase.Entry> entries,
      FeatureSpaces.Images images) throws IOException {
    List<BufferedImage> out = new ArrayList<>(java.util.Collections.nCopies(entries.size(), (BufferedImage) null));
    for (int i : MapThumbnails.choose(coordinates, entries.size(), THUMBNAIL_GRID)) {
      Item item = entries.get(i).item();
      out.set(i, images.image(item));
    }
    return out;
  }

  private static double[] toDouble(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) out[i] = x[i];
    return out;
  }
}
