package org.convscope.web;

import org.convscope.inspect.LayerInfo;

/**
 * /layer/{name}/unit/{c}: one unit's maximally activating dataset patches, its threshold masks on the images
 * where it peaks, its feature visualization, and the same unit index in the neighbouring layers.
 */
final class UnitPage {
  private UnitPage() {}

  static String render(Workspace ws, Analyses analyses, LayerInfo layer, int channel) {
    String name = Workspace.name(layer);
    StringBuilder sb = new StringBuilder("<p class=\"summary\">Unit " + channel + " of " + LayerPage.link("/layer/" + Pages.url(name), name)
        + " (" + layer.shape()[1] + " units). ");
    for (int step : new int[] {-1, 1}) {
      LayerInfo other = ws.neighbour(layer, step);
      if (other != null && channel < other.shape()[1]) {
        String otherName = Workspace.name(other);
        sb.append(LayerPage.link("/layer/" + Pages.url(otherName) + "/unit/" + channel,
            (step < 0 ? "← " : "") + otherName + " #" + channel + (step > 0 ? " →" : ""))).append(' ');
      }
    }
    sb.append("</p>\n");
    if (ws.hasData()) {
      Job patches = analyses.patches(layer);
      sb.append("<section><h2>Maximally activating patches</h2>").append(patches.state() == Job.State.DONE
          ? LayerPage.img(ResultCache.url(patches.key(), "u" + channel + ".png"), "top patches of unit " + channel, "patches")
          : Pages.jobPanel(patches)).append("</section>");
      Job masks = analyses.masks(layer, channel);
      sb.append("<section><h2>Threshold masks</h2>").append(masks.state() == Job.State.DONE
          ? LayerPage.img(ResultCache.url(masks.key(), "png"), "masks of unit " + channel, "masks")
          : Pages.jobPanel(masks)).append("</section>");
    } else {
      sb.append("<p>Start the explorer with --data for this unit's patches and masks.</p>");
    }
    Job visual = analyses.visualization(layer, channel);
    sb.append("<section><h2>Feature visualization</h2>").append(visual.state() == Job.State.DONE
        ? LayerPage.img(ResultCache.url(visual.key(), "png"), "feature visualization of unit " + channel, "visualization")
        : Pages.jobPanel(visual)).append("</section>");
    return Pages.page(name + " unit " + channel, sb.toString());
  }
}
