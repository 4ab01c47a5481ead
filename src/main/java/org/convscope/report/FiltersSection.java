package org.convscope.report;

import org.convscope.inspect.Filters;
import org.convscope.render.LayerImages;

/** The first convolution's filters, as images. */
public final class FiltersSection implements ReportSection {
  @Override
  public String title() {
    return "First-layer filters";
  }

  @Override
  public String write(ReportContext c) throws java.io.IOException {
    Filters.ConvWeights conv = Filters.firstLayer(c.model());
    String name = conv.module() != null ? conv.module() : conv.node().name();
    String png = c.png("filters.png", LayerImages.asImages(conv.weights(), name));
    String npy = c.npy("filters.npy", conv.weights());
    return Html.img(png, "first-layer filters") + Html.p("Each tile is one filter of " + name + ", scaled to its own range. ")
        + Html.link(npy, "weights as .npy");
  }
}
