package org.convscope.report;

import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ModelSummary;
import org.convscope.tensor.Shapes;

/** The layer table: module path, op, output shape, parameters and receptive field. */
public final class ModelSection implements ReportSection {
  @Override
  public String title() {
    return "Layers";
  }

  @Override
  public String write(ReportContext c) {
    int[] shape = {1, c.data().channels(), c.data().height(), c.data().width()};
    StringBuilder sb = new StringBuilder("<table><tr><th>layer</th><th>op</th><th>output</th><th>parameters</th>"
        + "<th>receptive field</th></tr>\n");
    long total = 0;
    for (LayerInfo l : ModelSummary.layers(c.model().network(), shape)) {
      total += l.parameters();
      sb.append("<tr><td>").append(Html.escape(l.module() != null ? l.module() : l.node())).append("</td><td>")
          .append(l.op()).append("</td><td>").append(Shapes.toString(l.shape())).append("</td><td class=\"num\">")
          .append(l.parameters() == 0 ? "" : String.format("%,d", l.parameters())).append("</td><td>")
          .append(l.receptiveField() == null ? "-" : l.receptiveField().describe()).append("</td></tr>\n");
    }
    return sb.append("</table>").append(Html.p(String.format("%,d parameters in all.", total))).toString();
  }
}
