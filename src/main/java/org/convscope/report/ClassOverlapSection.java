package org.convscope.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import org.convscope.embed.ClassOverlap;
import org.convscope.embed.NeighborGraph;
import org.convscope.render.ConfusionMatrixPlot;
import org.convscope.tensor.AtomicFiles;

/**
 * The pairs of classes whose neighbourhoods in feature space mix most, from the exact k-NN graph
 * ({@link ClassOverlap}), as a ranked list and a class-by-class matrix. Writes class-overlap.png and
 * class-overlap.csv (every pair, most mixed first).
 */
final class ClassOverlapSection implements ReportSection {
  private static final int K = 10;
  private static final int LISTED = 8;

  private final EmbeddingFeatures features;

  ClassOverlapSection(EmbeddingFeatures features) {
    this.features = features;
  }

  @Override
  public String title() {
    return "Class overlap";
  }

  @Override
  public String write(ReportContext c) throws IOException {
    EmbeddingFeatures.Computed f = features.of(c);
    if (!f.labelled() || f.classNames().isEmpty()) return Html.p("The data has no labels.");
    int k = Math.min(K, f.n() - 1);
    ClassOverlap overlap = ClassOverlap.compute(NeighborGraph.build(f.vectors(), f.n(), f.d(), k, () -> false), f.labels(), f.classNames());
    int classes = f.classNames().size();
    int[][] counts = new int[classes][classes];
    for (int a = 0; a < classes; a++) for (int b = 0; b < classes; b++) counts[a][b] = (int) overlap.counts()[a][b];
    String png = c.png("class-overlap.png", ConfusionMatrixPlot.render(counts, f.classNames(),
        k + "-NN neighbours by class (row: class of the image, column: class of its neighbour)"));
    StringBuilder csv = new StringBuilder("first,second,mixing\n");
    for (ClassOverlap.Pair p : overlap.pairs()) {
      csv.append(f.classNames().get(p.first())).append(',').append(f.classNames().get(p.second())).append(',')
          .append(String.format(Locale.ROOT, "%.6f", p.mixing())).append('\n');
    }
    AtomicFiles.write(c.dir().resolve("class-overlap.csv"), out -> out.write(csv.toString().getBytes(StandardCharsets.UTF_8)));

    StringBuilder html = new StringBuilder(Html.p(String.format(Locale.ROOT,
        "Each of the first %,d images and its %d nearest neighbours by cosine distance between the features of %s: "
            + "the pairs of classes whose neighbourhoods mix most (the share of the two classes' neighbour links "
            + "that cross between them), and the full count matrix.", f.n(), k, f.layer())));
    html.append("<div class=\"row\"><table><tr><th>classes</th><th>mixing</th></tr>");
    for (ClassOverlap.Pair p : overlap.pairs().subList(0, Math.min(LISTED, overlap.pairs().size()))) {
      html.append("<tr><td>").append(Html.escape(f.classNames().get(p.first()))).append(" &ndash; ")
          .append(Html.escape(f.classNames().get(p.second()))).append("</td><td class=\"num\">")
          .append(String.format(Locale.ROOT, "%.1f%%", 100 * p.mixing())).append("</td></tr>");
    }
    html.append("</table>").append(Html.img(png, "class overlap matrix")).append("</div><p>")
        .append(Html.link("class-overlap.csv", "every pair (.csv)")).append("</p>");
    return html.toString();
  }
}
