package org.convscope.report;

import java.util.ArrayList;
import java.util.List;
import org.convscope.explain.DeletionInsertion;
import org.convscope.explain.Evaluation;
import org.convscope.explain.Explainer;
import org.convscope.explain.Explainers;
import org.convscope.explain.Query;
import org.convscope.explain.Rise;
import org.convscope.tensor.Tensor;

/**
 * Why the model decides: every attribution method side by side for a few sample images, explaining the
 * predicted class, with each method's deletion and insertion AUC (lower deletion and higher insertion is more
 * faithful). The perturbation methods and the curves run in batches of {@value #BATCH} images.
 */
public final class ExplanationsSection implements ReportSection {
  /**
   * Images per forward pass of the perturbation methods (RISE, Score-CAM, occlusion) and of the deletion and
   * insertion curves: small inputs make large batches cheap per image.
   */
  private static final int BATCH = 64;
  /** Sides up to this many pixels count as small (Fashion-MNIST, CIFAR). */
  private static final int SMALL_INPUT = 32;

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
    List<Explainer> methods = new ArrayList<>();
    for (Explainer m : Explainers.parse("all", BATCH)) methods.add(m instanceof Rise ? rise(batch) : m);
    DeletionInsertion.Options d = DeletionInsertion.Options.defaults();
    Evaluation.Options checks = new Evaluation.Options(
        new DeletionInsertion.Options(d.steps(), d.deletedValue(), d.blur(), BATCH), null, 0, null);
    List<Evaluation.Result> results = Evaluation.run(query, methods, checks);
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

  /**
   * RISE with its default options, but fewer masks for small inputs: on a 28 x 28 image the 7 x 7 grid's masks
   * vary less than on a large one, and 500 masks already give a stable map, in half the forward passes of the
   * default 1,000 (the demo's costliest method).
   */
  private static Rise rise(Tensor batch) {
    Rise.Options d = Rise.Options.defaults();
    boolean small = Math.max(batch.dim(2), batch.dim(3)) <= SMALL_INPUT;
    return new Rise(new Rise.Options(small ? d.masks() / 2 : d.masks(), d.cells(), d.keepProbability(), d.seed(), BATCH));
  }

  private static double mean(double[] values) {
    double s = 0;
    for (double v : values) s += v;
    return values.length == 0 ? Double.NaN : s / values.length;
  }
}
