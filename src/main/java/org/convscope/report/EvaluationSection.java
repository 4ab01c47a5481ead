package org.convscope.report;

import org.convscope.render.ConfusionMatrixPlot;
import org.convscope.train.Evaluation;
import org.convscope.train.Trainer;

/** Accuracy per class and the confusion matrix, on the report's labelled data. */
public final class EvaluationSection implements ReportSection {
  @Override
  public String title() {
    return "Accuracy";
  }

  @Override
  public String write(ReportContext c) throws java.io.IOException {
    if (c.data().size() == 0 || c.data().label(0) < 0) return Html.p("The data has no labels.");
    float[] mean = toArray(c.preprocessing().mean());
    float[] std = toArray(c.preprocessing().std());
    Evaluation e = Trainer.evaluate(c.model().network(), c.data(), mean, std, 256);
    if (!c.model().classNames().isEmpty()) e = new Evaluation(c.model().classNames(), e.confusion());
    int[][] counts = new int[e.confusion().length][];
    for (int i = 0; i < counts.length; i++) counts[i] = java.util.Arrays.stream(e.confusion()[i]).mapToInt(v -> (int) v).toArray();
    String png = c.png("confusion.png", ConfusionMatrixPlot.render(counts, e.classNames(), "confusion matrix"));
    StringBuilder sb = new StringBuilder(Html.p(String.format("Accuracy %.2f%% (%d of %d).", 100 * e.accuracy(), e.correct(), e.total())));
    sb.append("<div class=\"row\">").append(Html.img(png, "confusion matrix")).append("<table><tr><th>class</th><th>accuracy</th></tr>");
    for (int k = 0; k < counts.length; k++) {
      sb.append("<tr><td>").append(Html.escape(e.className(k))).append("</td><td class=\"num\">")
          .append(String.format("%.1f%%", 100 * e.classAccuracy(k))).append("</td></tr>");
    }
    return sb.append("</table></div>").toString();
  }

  static float[] toArray(java.util.List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) out[i] = values.get(i);
    return out;
  }
}
