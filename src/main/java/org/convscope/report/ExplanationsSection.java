package org.convscope.report;

import java.util.List;
import org.convscope.explain.Evaluation;
import org.convscope.explain.Explainer;
import org.convscope.explain.Explainers;
import org.convscope.explain.Query;
import org.convscope.tensor.Tensor;

/**
 * Why the model decides: every attribution method side by side for a few sample images, explaining the
 * predicted class, with each method's deletion and insertion AUC (lower deletion and higher insertion is more
 * faithful).
 */
public final class ExplanationsSection implements ReportSection {
  private final int images;

  public ExplanationsSection(int images) {
    this.images = images;
  }

  @Override
  public String title() {
    return "Explanations";
  }

  @Override
  public String write(ReportContext c) throws java.io.IOException {
    int[] samples = c.samples();
    int[] chosen = java.util.Arrays.copyOf(samples, Math.min(images, samples.length));
    Tensor batch = c.modelInputs(chosen);
    Query query = Query.predicted(c.model(), batch, null);
    // Small inputs: larger batches make the perturbation methods (RISE, Score-CAM, occlusion) cheaper per image.
    List<Explainer> methods = Explainers.parse("all", 64);
    List<Evaluation.Result> results = Evaluation.run(query, methods, Evaluation.Options.defaults());
    ExplanationPictures pictures = new ExplanationPictures(c.model(), query, c.preprocessing());
    String panel = c.png("explanations/panel.png", pictures.panel(results));
    StringBuilder sb = new StringBuilder(Html.p("Each row explains the predicted class of one image; layer-based methods use "
        + query.layer().describe() + "."));
    sb.append(Html.img(panel, "every method side by side"));
    sb.append("<table><tr><th>method</th><th>seconds</th><th>deletion AUC (lower is better)</th>"
        + "<th>insertion AUC (higher is better)</th><th>raw maps</th></tr>");
    for (Evaluation.Result r : results) {
      String name = r.method().name();
      String npy = c.npy("explanations/" + name + ".npy", r.attribution().map());
      sb.append("<tr><td>").append(Html.escape(name)).append("</td><td class=\"num\">")
          .append(String.format("%.2f", r.seconds())).append("</td>");
      if (r.deletionInsertion() != null) {
        sb.append("<td class=\"num\">").append(String.format("%.3f", mean(r.deletionInsertion().deletionAuc())))
            .append("</td><td class=\"num\">").append(String.format("%.3f", mean(r.deletionInsertion().insertionAuc())))
            .append("</td>");
      } else {
        sb.append("<td></td><td></td>");
      }
      sb.append("<td>").append(Html.link(npy, name + ".npy")).append("</td></tr>");
    }
    return sb.append("</table>").toString();
  }

  private static double mean(double[] values) {
    double s = 0;
    for (double v : values) s += v;
    return values.length == 0 ? Double.NaN : s / values.length;
  }
}
