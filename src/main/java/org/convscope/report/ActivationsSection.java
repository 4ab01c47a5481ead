package org.convscope.report;

import java.util.List;
import org.convscope.inspect.Activations;
import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ModelSummary;
import org.convscope.render.LayerImages;
import org.convscope.render.ImageOps;
import org.convscope.tensor.Tensor;

/** Every channel of the end of each conv stage, for a few sample images. */
public final class ActivationsSection implements ReportSection {
  private final int images;

  public ActivationsSection(int images) {
    this.images = images;
  }

  @Override
  public String title() {
    return "Activation maps";
  }

  @Override
  public String write(ReportContext c) throws java.io.IOException {
    int[] shape = {1, c.data().channels(), c.data().height(), c.data().width()};
    List<LayerInfo> stages = ModelSummary.stageOutputs(ModelSummary.layers(c.model().network(), shape));
    int[] samples = c.samples();
    StringBuilder sb = new StringBuilder(Html.p("The last layer at each resolution, every channel on its own scale."));
    for (int s = 0; s < Math.min(images, samples.length); s++) {
      int[] one = {samples[s]};
      Tensor x = c.modelInputs(one);
      sb.append("<h3>image ").append(samples[s]).append(" (").append(Html.escape(c.labelName(c.data().label(samples[s]))))
          .append(")</h3><div class=\"row\">");
      sb.append(Html.img(c.png("activations/input-" + samples[s] + ".png", ImageOps.upscale(ImageOps.fromTensor(
          c.pixels(one).reshape(c.data().channels(), c.data().height(), c.data().width())), 4)), "input"));
      for (LayerInfo stage : stages) {
        String name = stage.module() != null ? stage.module() : stage.node();
        Activations.Result r = Activations.of(c.model(), x, stage.tensor(), 0);
        String file = "activations/" + samples[s] + "-" + safe(name);
        c.npy(file + ".npy", r.maps());
        sb.append("<figure>").append(Html.img(c.png(file + ".png", LayerImages.activationGrid(r.maps(), r.channels(), name, false)), name))
            .append("<figcaption>").append(Html.escape(name)).append(" ").append(r.maps().dim(0)).append(" channels, ")
            .append(r.maps().dim(1)).append("x").append(r.maps().dim(2)).append("</figcaption></figure>");
      }
      sb.append("</div>");
    }
    return sb.toString();
  }

  static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
