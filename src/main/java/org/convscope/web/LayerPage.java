package org.convscope.web;

import java.util.Map;
import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ReceptiveField;
import org.convscope.tensor.Shapes;

/**
 * /layer/{name}: a layer's filters (for a convolution), the activation grid for a chosen or uploaded image, and
 * its units ranked by how often they fire over the dataset, each linking to its page.
 */
final class LayerPage {
  private LayerPage() {}

  static String render(Workspace ws, Analyses analyses, LayerInfo layer, Workspace.ImageRef image) throws Exception {
    String name = Workspace.name(layer);
    String path = "/layer/" + Pages.url(name);
    StringBuilder sb = new StringBuilder();
    ReceptiveField rf = layer.receptiveField();
    sb.append("<p class=\"summary\">").append(Pages.esc(layer.op())).append(", output ").append(Pages.esc(Shapes.toString(layer.shape())))
        .append(layer.parameters() > 0 ? String.format(", %,d parameters", layer.parameters()) : "")
        .append(", receptive field ").append(rf == null ? "-" : Pages.esc(rf.describe())).append(". ");
    LayerInfo previous = ws.neighbour(layer, -1);
    LayerInfo next = ws.neighbour(layer, 1);
    if (previous != null) sb.append(link("/layer/" + Pages.url(Workspace.name(previous)), "← " + Workspace.name(previous))).append(' ');
    if (next != null) sb.append(link("/layer/" + Pages.url(Workspace.name(next)), Workspace.name(next) + " →"));
    sb.append("</p>\n");

    if (layer.op().equals("Conv")) {
      sb.append("<section><h2>Filters</h2>").append(img(analyses.filters(layer), "filters of " + name, "filters")).append("</section>");
    }

    boolean spatial = layer.shape().length == 4;
    if (spatial) {
      sb.append("<section><h2>Activations</h2><form method=\"get\" action=\"").append(Pages.esc(path)).append("\">");
      if (ws.hasData()) {
        sb.append("dataset image <input type=\"number\" name=\"image\" min=\"0\" max=\"").append(ws.data().size() - 1)
            .append("\" value=\"").append(image != null && !image.isUpload() ? image.index() : 0).append("\"> <button>show</button> ");
      }
      sb.append("or <a href=\"/image\">upload an image</a> and open this layer from its page.</form>");
      if (image != null) {
        sb.append("<p>").append(link(image.path(), image.describe())).append("</p>")
            .append(img(analyses.activations(layer, image), "activations of " + name, "activations"));
      }
      sb.append("</section>");
    }

    if (spatial && layer.shape()[2] * layer.shape()[3] > 1) {
      sb.append("<section><h2>Units by how often they fire</h2>");
      if (!ws.hasData()) {
        sb.append("<p>Start the explorer with --data to rank the units over a dataset. Units: ");
        for (int c = 0; c < layer.shape()[1]; c++) sb.append(link(path + "/unit/" + c, "#" + c)).append(' ');
        sb.append("</p>");
      } else {
        Job job = analyses.firingRates(layer);
        if (job.state() != Job.State.DONE) {
          sb.append(Pages.jobPanel(job));
        } else {
          sb.append(unitTable(analyses.json(job.key()), path));
        }
      }
      sb.append("</section>");
    }
    return Pages.page("Layer " + name, sb.toString());
  }

  private static String unitTable(Map<String, Object> json, String path) {
    int images = ((Number) json.get("images")).intValue();
    java.util.List<?> ranked = (java.util.List<?>) json.get("ranked");
    java.util.List<?> fired = (java.util.List<?>) json.get("fired");
    java.util.List<?> peak = (java.util.List<?>) json.get("mean_peak");
    StringBuilder sb = new StringBuilder("<p>The share of the " + String.format("%,d", images)
        + " images in which each unit's activation is above 0 somewhere, most often first.</p>"
        + "<table id=\"units\"><thead><tr><th>unit</th><th>fires in</th><th>images</th><th>mean peak</th></tr></thead><tbody>");
    for (Object o : ranked) {
      int c = ((Number) o).intValue();
      long n = ((Number) fired.get(c)).longValue();
      double rate = images == 0 ? 0 : n / (double) images;
      sb.append("<tr><td>").append(link(path + "/unit/" + c, "#" + c)).append("</td><td class=\"num\"><span class=\"bar\" style=\"width:")
          .append(Math.round(rate * 100)).append("px\"></span> ").append(String.format("%.1f%%", 100 * rate))
          .append("</td><td class=\"num\">").append(String.format("%,d", n)).append("</td><td class=\"num\">")
          .append(String.format("%.4g", ((Number) peak.get(c)).doubleValue())).append("</td></tr>");
    }
    return sb.append("</tbody></table>").toString();
  }

  static String link(String href, String text) {
    return "<a href=\"" + Pages.esc(href) + "\">" + Pages.esc(text) + "</a>";
  }

  static String img(String src, String alt, String cls) {
    return "<img class=\"" + cls + "\" src=\"" + Pages.esc(src) + "\" alt=\"" + Pages.esc(alt) + "\">";
  }
}
