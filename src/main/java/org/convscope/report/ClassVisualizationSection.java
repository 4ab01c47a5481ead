package org.convscope.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.render.Grid;
import org.convscope.render.GridOptions;
import org.convscope.render.Tile;
import org.convscope.tensor.Tensor;
import org.convscope.units.GradientAscent;
import org.convscope.units.InputSpace;
import org.convscope.units.Objective;
import org.convscope.units.StepListener;

/**
 * What the model takes each class to look like: for each class, the image that maximizes its logit by gradient
 * ascent from a grey image (Simonyan et al., "Deep Inside Convolutional Networks", ICLR workshop 2014), with
 * jitter, an occasional light blur and clipping to valid pixels (Yosinski et al., ICML workshop 2015). The images
 * as {@code .npy} model inputs [K,C,H,W] and each class's logit before and after as JSON.
 */
public final class ClassVisualizationSection implements ReportSection {
  private final int steps;
  private final int maxClasses;

  /**
   * @param steps ascent steps per class
   * @param maxClasses visualize the first this many classes only (ImageNet has 1,000)
   */
  public ClassVisualizationSection(int steps, int maxClasses) {
    this.steps = steps;
    this.maxClasses = maxClasses;
  }

  @Override
  public String title() {
    return "Class visualizations";
  }

  /** Normalized steps with one pixel of jitter, a blur of 0.5 pixel every 8 steps, and clipping. */
  GradientAscent.Options options() {
    return GradientAscent.Options.defaults().withSteps(steps).withJitter(1).withBlur(8, 0.5);
  }

  @Override
  public String write(ReportContext c) throws java.io.IOException {
    int height = c.data().height();
    int width = c.data().width();
    Tensor logits = c.model().network().predict(Tensor.zeros(1, c.data().channels(), height, width));
    int classes = Math.min(maxClasses, logits.size());
    InputSpace space = new InputSpace(c.preprocessing());
    GradientAscent.Options options = options();
    List<Tile> tiles = new ArrayList<>();
    List<Map<String, Object>> json = new ArrayList<>();
    Tensor images = null;
    for (int k = 0; k < classes; k++) {
      GradientAscent.Result r = GradientAscent.run(c.model(), c.preprocessing(), new Objective.ClassScore(k),
          new GradientAscent.Blank(height, width), options, StepListener.NONE, () -> false);
      if (images == null) images = Tensor.zeros(classes, r.image().dim(1), height, width);
      System.arraycopy(r.image().data(), 0, images.data(), k * r.image().size(), r.image().size());
      double[] f = r.objective();
      tiles.add(Tile.of(UnitPictures.picture(r.image(), space))
          .withLabel(String.format("%s %.3g→%.3g", c.model().className(k), f[0], f[f.length - 1])));
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("class", k);
      entry.put("name", c.model().className(k));
      entry.put("start_logit", f[0]);
      entry.put("final_logit", f[f.length - 1]);
      json.add(entry);
    }
    String png = c.png("visualizations/classes.png", Grid.render(tiles, GridOptions.defaults().withTileSize(112)
        .withColumns(Math.min(classes, 5)).withTitle("class logits, from grey")));
    String npy = c.npy("visualizations/classes.npy", images);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("steps", steps);
    root.put("classes", json);
    String summary = ReportJson.write(c, "visualizations/classes.json", root);
    String limited = classes < logits.size() ? String.format(" (the first %d of %d classes)", classes, logits.size()) : "";
    return Html.p(String.format("For each class%s, %d steps of gradient ascent on its logit from a grey image, with one pixel of"
        + " jitter, a light blur every 8 steps and pixels kept in [0,1]; each tile gives the logit before and after.", limited, steps))
        + Html.img(png, "class visualizations") + Html.p("") + Html.link(npy, "images as .npy (model inputs)") + " "
        + Html.link(summary, "logits as JSON");
  }
}
