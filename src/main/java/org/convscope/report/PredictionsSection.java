package org.convscope.report;

import java.util.List;
import org.convscope.model.Predictions;
import org.convscope.render.ImageOps;
import org.convscope.tensor.Tensor;

/** The sample images with the model's top three classes. */
public final class PredictionsSection implements ReportSection {
  @Override
  public String title() {
    return "Predictions";
  }

  @Override
  public String write(ReportContext c) throws java.io.IOException {
    int[] samples = c.samples();
    Tensor logits = c.model().network().predict(c.modelInputs(samples));
    Tensor pixels = c.pixels(samples);
    StringBuilder sb = new StringBuilder("<div class=\"row\">");
    int per = pixels.size() / samples.length;
    for (int i = 0; i < samples.length; i++) {
      Tensor image = Tensor.of(java.util.Arrays.copyOfRange(pixels.data(), i * per, (i + 1) * per),
          pixels.dim(1), pixels.dim(2), pixels.dim(3));
      String png = c.png("samples/" + samples[i] + ".png", ImageOps.upscale(ImageOps.fromTensor(image), 4));
      sb.append("<figure>").append(Html.img(png, "image " + samples[i])).append("<figcaption>image ").append(samples[i])
          .append(", true: ").append(Html.escape(c.labelName(c.data().label(samples[i])))).append("<br>");
      List<Predictions.Entry> top = Predictions.top(logits, i, 3);
      for (Predictions.Entry e : top) {
        sb.append(String.format("%.1f%% ", 100 * e.probability())).append(Html.escape(c.model().className(e.index()))).append("<br>");
      }
      sb.append("</figcaption></figure>");
    }
    return sb.append("</div>").toString();
  }
}
