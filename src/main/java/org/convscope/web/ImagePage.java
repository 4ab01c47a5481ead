package org.convscope.web;

import java.util.List;
import org.convscope.explain.Explainers;
import org.convscope.inspect.LayerInfo;
import org.convscope.model.Predictions;
import org.convscope.tensor.Tensor;

/**
 * /image/{index} and /image/upload/{hash}: an image's top-k predictions, and every attribution method side by
 * side for a chosen class and layer with its deletion and insertion AUC, over the image at an opacity the user
 * sets. The page lists the methods; explorer.js asks /api/explain for each, so the maps appear as they finish.
 */
final class ImagePage {
  static final int TOP_K = 5;

  private ImagePage() {}

  /**
   * @param target the class to explain, or null for the predicted one
   * @param layer the CAM methods' layer, or null for the automatic choice
   */
  static String render(Workspace ws, Analyses analyses, Workspace.ImageRef image, Integer target, LayerInfo layer) throws Exception {
    Tensor x = ws.input(image);
    // The page needs the scores only: an inference run, not an explanation query's recorded one.
    Tensor logits = ws.model().network().predict(x);
    int classes = logits.dim(1);
    int predicted = Predictions.argmax(logits)[0];
    if (target != null) checkClass(target, classes);
    int explained = target != null ? target : predicted;
    String label = ws.label(image);

    StringBuilder sb = new StringBuilder("<div class=\"columns\"><section><h2>Input</h2>");
    sb.append(LayerPage.img(analyses.input(image), image.describe(), "input")).append("<p>");
    if (label != null) sb.append("label: <b>").append(Pages.esc(label)).append("</b>. ");
    sb.append("Activations: ");
    for (LayerInfo l : ws.spatialLayers()) {
      sb.append(LayerPage.link("/layer/" + Pages.url(Workspace.name(l)) + "?" + image.query(), Workspace.name(l))).append(' ');
    }
    sb.append("</p></section><section><h2>Predictions</h2><table id=\"predictions\"><thead><tr><th>class</th><th>name</th>"
        + "<th>probability</th><th>logit</th></tr></thead><tbody>");
    for (Predictions.Entry e : Predictions.top(logits, 0, TOP_K)) {
      sb.append("<tr data-class=\"").append(e.index()).append("\"><td class=\"num\">").append(e.index()).append("</td><td>")
          .append(Pages.esc(ws.model().className(e.index()))).append("</td><td class=\"num\">")
          .append(String.format("%.4f", e.probability())).append("</td><td class=\"num\">").append(String.format("%.4f", e.logit()))
          .append("</td></tr>");
    }
    sb.append("</tbody></table></section></div>");

    String layerName = layer == null ? "" : Workspace.name(layer);
    sb.append("<section><h2>Explanations</h2><form method=\"get\" action=\"").append(Pages.esc(image.path()))
        .append("\">class <select name=\"class\">");
    for (int k = 0; k < classes; k++) {
      sb.append("<option value=\"").append(k).append('"').append(k == explained ? " selected" : "").append('>').append(k).append(' ')
          .append(Pages.esc(ws.model().className(k))).append(k == predicted ? " (predicted)" : "").append("</option>");
    }
    sb.append("</select> layer <select name=\"layer\"><option value=\"\">automatic</option>");
    for (LayerInfo l : ws.spatialLayers()) {
      String n = Workspace.name(l);
      sb.append("<option").append(n.equals(layerName) ? " selected" : "").append('>').append(Pages.esc(n)).append("</option>");
    }
    sb.append("</select> <button>explain</button></form>"
        + "<p><label>overlay opacity <input type=\"range\" id=\"opacity\" min=\"0\" max=\"1\" step=\"0.05\" value=\"0.6\"></label>"
        + " Deletion AUC: lower is more faithful; insertion AUC: higher is.</p><div class=\"methods\">");
    String inputUrl = analyses.input(image);
    String base = "/api/explain?" + image.query() + "&class=" + explained + (layer == null ? "" : "&layer=" + Pages.url(layerName));
    for (Explainers.Entry m : Explainers.entries()) {
      sb.append("<figure class=\"method\" data-method=\"").append(Pages.esc(m.name())).append("\" data-job=\"")
          .append(analyses.explanationKey(image, m.name(), explained, layer)).append("\" data-api=\"")
          .append(Pages.esc(base + "&method=" + Pages.url(m.name()))).append("\"><div class=\"stack\"><img class=\"base\" src=\"")
          .append(Pages.esc(inputUrl)).append("\" alt=\"input\"><img class=\"heat\" alt=\"").append(Pages.esc(m.name()))
          .append(" map\"></div><figcaption><b>").append(Pages.esc(m.name())).append("</b> <span class=\"scores\">computing…</span>")
          .append(" <button type=\"button\" class=\"cancel\">cancel</button></figcaption></figure>");
    }
    sb.append("</div></section>");
    return Pages.page("Image: " + image.describe(), sb.toString());
  }

  static void checkClass(int k, int classes) {
    if (k < 0 || k >= classes) {
      throw HttpProblem.notFound("class " + k + " is out of range: the model has " + classes + " classes (0 to " + (classes - 1) + ")");
    }
  }

  /** /image: the upload form and the first dataset images to pick from. */
  static String picker(Workspace ws, long uploadLimit) {
    StringBuilder sb = new StringBuilder("<section><h2>Upload</h2><form method=\"post\" action=\"/image/upload\" enctype=\"multipart/form-data\">"
        + "<input type=\"file\" name=\"image\" accept=\"image/png,image/jpeg\"> <button id=\"upload\">upload</button> (PNG or JPEG, at most "
        + (uploadLimit >> 20) + " MB)</form></section>");
    if (ws.hasData()) {
      sb.append("<section><h2>From the dataset</h2><form method=\"get\" action=\"/image/go\">index <input type=\"number\" name=\"index\" min=\"0\" max=\"")
          .append(ws.data().size() - 1).append("\" value=\"0\"> <button>open</button></form><div class=\"thumbs\">");
      List<String> names = ws.model().classNames();
      for (int i = 0; i < Math.min(60, ws.data().size()); i++) {
        int label = ws.data().label(i);
        String title = i + (label >= 0 ? " " + (label < names.size() ? names.get(label) : "class " + label) : "");
        sb.append("<a href=\"/image/").append(i).append("\" title=\"").append(Pages.esc(title)).append("\"><img src=\"/thumb/")
            .append(i).append(".png\" alt=\"").append(Pages.esc(title)).append("\"></a>");
      }
      sb.append("</div></section>");
    }
    return Pages.page("Images", sb.toString());
  }
}
