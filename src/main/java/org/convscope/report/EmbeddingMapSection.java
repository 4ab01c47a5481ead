package org.convscope.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.convscope.embed.EmbeddingQuality;
import org.convscope.embed.MapThumbnails;
import org.convscope.embed.Pca;
import org.convscope.embed.Tsne;
import org.convscope.embed.TsneOptions;
import org.convscope.render.ChartOptions;
import org.convscope.render.ImageOps;
import org.convscope.render.ScatterPlot;
import org.convscope.tensor.Tensor;

/**
 * The t-SNE map of the images' features (van der Maaten and Hinton, "Visualizing Data using t-SNE", JMLR 2008),
 * coloured by class, with a few thumbnails: classes the model confuses show up as touching clusters. Writes
 * tsne.png and the coordinates as tsne.npy (float32 [N,2], in dataset order).
 */
final class EmbeddingMapSection implements ReportSection {
  /** Half the command line's 1000: the layout has settled by then for 2,000 points, in half the time. */
  static final int ITERATIONS = 500;
  private static final int PCA_DIMENSIONS = 50;
  private static final int QUALITY_K = 10;
  private static final int THUMBNAIL_CELLS = 10;

  private final EmbeddingFeatures features;

  EmbeddingMapSection(EmbeddingFeatures features) {
    this.features = features;
  }

  @Override
  public String title() {
    return "Embedding map";
  }

  @Override
  public String write(ReportContext c) throws IOException {
    EmbeddingFeatures.Computed f = features.of(c);
    int n = f.n();
    double[] input = f.d() > PCA_DIMENSIONS ? Pca.fit(f.vectors(), n, f.d(), PCA_DIMENSIONS).project(f.vectors(), n) : toDouble(f.vectors());
    int inputDims = Math.min(f.d(), PCA_DIMENSIONS);
    TsneOptions options = TsneOptions.defaults().withIterations(ITERATIONS).withPerplexity(Math.min(30, (n - 1) / 3.0 - 1));
    Tsne.Result result = Tsne.fit(input, n, inputDims, options, (iteration, kl) -> { }, () -> false);
    double[] y = result.coordinates();
    double trust = EmbeddingQuality.trustworthiness(input, inputDims, y, n, Math.min(QUALITY_K, (n - 1) / 2));

    int[] colours = new int[n];
    double[] xs = new double[n];
    double[] ys = new double[n];
    for (int i = 0; i < n; i++) {
      colours[i] = Math.max(0, f.labels()[i]);
      xs[i] = y[2 * i];
      ys[i] = y[2 * i + 1];
    }
    boolean named = f.labelled() && java.util.Arrays.stream(colours).max().orElse(0) < f.classNames().size();
    List<String> legend = !f.labelled() ? List.of("unlabelled") : named ? f.classNames() : null;
    List<BufferedImage> thumbnails = new ArrayList<>(Collections.nCopies(n, (BufferedImage) null));
    for (int i : MapThumbnails.choose(y, n, THUMBNAIL_CELLS)) {
      thumbnails.set(i, ImageOps.fromTensor(c.pixels(new int[] {i})));
    }
    String title = String.format(Locale.ROOT, "t-SNE of %s features (%,d images)", f.layer(), n);
    String png = c.png("tsne.png", ScatterPlot.render(xs, ys, colours, legend, thumbnails,
        ChartOptions.defaults().withSize(1000, 760).withTitle(title)).image());
    float[] coordinates = new float[2 * n];
    for (int i = 0; i < coordinates.length; i++) coordinates[i] = (float) y[i];
    String npy = c.npy("tsne.npy", Tensor.of(coordinates, n, 2));

    StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
        "The first %,d images, by the features at the input of %s (average-pooled, unit length, PCA to %d "
            + "dimensions), mapped by t-SNE with perplexity %.0f and %d iterations (%d of them with early "
            + "exaggeration; the command line's default is 1000) in %.1f s. KL divergence %.3f, trustworthiness "
            + "%.4f (k = %d)", n, f.layer(), inputDims, options.perplexity(), ITERATIONS,
        options.exaggerationIterations(), result.seconds(), result.klDivergence(), trust, QUALITY_K));
    if (f.labelled()) {
      text.append(String.format(Locale.ROOT, ", %d-NN class agreement in the map %.4f", QUALITY_K,
          EmbeddingQuality.classAgreement(y, f.labels(), QUALITY_K)));
    }
    text.append(". Thumbnails show the image nearest the centre of each cell of a coarse grid.");
    return Html.p(text.toString()) + Html.img(png, "t-SNE map") + "<p>" + Html.link(npy, "coordinates (.npy)") + "</p>";
  }

  private static double[] toDouble(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) out[i] = x[i];
    return out;
  }
}
