package org.convscope.web;

import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ReceptiveField;
import org.convscope.tensor.Shapes;

/** /model: the layer table (module path, op, output shape, parameters, receptive field) and the graph. */
final class ModelPage {
  private ModelPage() {}

  static String render(Workspace ws) {
    long total = ws.model().graph().initializers().values().stream().mapToLong(t -> t.size()).sum();
    StringBuilder sb = new StringBuilder();
    sb.append("<p class=\"summary\">").append(Pages.esc(ws.model().source())).append(": input ")
        .append(Pages.esc(Shapes.toString(ws.inputShape()))).append(", ").append(ws.model().graph().nodes().size())
        .append(" nodes, ").append(String.format("%,d", total)).append(" parameters");
    if (ws.hasData()) {
      sb.append("; data ").append(Pages.esc(ws.data().name())).append(String.format(" (%,d images)", ws.data().size()));
    }
    sb.append(".</p>\n<div class=\"columns\"><section><h2>Layers</h2><table id=\"layers\"><thead><tr><th>layer</th><th>op</th>"
        + "<th>output</th><th>parameters</th><th>receptive field</th></tr></thead><tbody>");
    for (LayerInfo l : ws.layers()) {
      String name = Workspace.name(l);
      ReceptiveField rf = l.receptiveField();
      sb.append("<tr><td><a href=\"/layer/").append(Pages.esc(Pages.url(name))).append("\">").append(Pages.esc(name))
          .append("</a></td><td>").append(Pages.esc(l.op())).append("</td><td>").append(Pages.esc(Shapes.toString(l.shape())))
          .append("</td><td class=\"num\">").append(l.parameters() == 0 ? "" : String.format("%,d", l.parameters()))
          .append("</td><td>").append(rf == null ? "-" : Pages.esc(rf.describe())).append("</td></tr>");
    }
    sb.append("</tbody></table></section><section><h2>Graph</h2>").append(GraphDiagram.svg(ws.model())).append("</section></div>");
    return Pages.page("Model", sb.toString());
  }
}
