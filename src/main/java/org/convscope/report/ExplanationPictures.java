package org.convscope.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.convscope.explain.Attribution;
import org.convscope.explain.Evaluation;
import org.convscope.explain.Query;
import org.convscope.input.Images;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.render.Figure;
import org.convscope.render.HeatmapOptions;
import org.convscope.render.Heatmaps;
import org.convscope.render.ImageOps;
import org.convscope.render.Normalization;
import org.convscope.render.ValueRange;
import org.convscope.tensor.Tensor;

/**
 * The pictures of explanations (the {@code explain} command and the report): each method's maps blended over the input (viridis for class activation
 * maps, blue-white-red about zero for signed maps, with a colour bar; input-shaped maps summed over channels), and a panel of the input and every
 * method side by side, one row per explained item.
 */
public final class ExplanationPictures {
  /** Inputs smaller than this are enlarged (by whole pixels) so that captions and colour bars fit. */
  private static final int MIN_DISPLAY = 224;

  private final Model model;
  private final Query query;
  private final List<BufferedImage> inputs = new ArrayList<>();

  /** @param preprocessing how the inputs were normalized, to undo for display; null when unknown */
  public ExplanationPictures(Model model, Query query, Preprocessing preprocessing) {
    this.model = model;
    this.query = query;
    Tensor batch = query.batch();
    int height = batch.dim(2);
    int factor = (int) Math.ceil(MIN_DISPLAY / (double) Math.max(height, batch.dim(3)));
    for (int i = 0; i < query.size(); i++) {
      BufferedImage image = display(batch.slice0(i, i + 1), preprocessing);
      inputs.add(factor > 1 ? ImageOps.upscale(image, factor) : image);
    }
  }

  /** An input as the user sees it: un-normalized when the preprocessing is known, else its channel mean, min to max. */
  private static BufferedImage display(Tensor item, Preprocessing preprocessing) {
    int channels = item.dim(1);
    if (preprocessing != null && (channels == 1 || channels == 3) && preprocessing.channels() == channels) {
      return Images.toImage(item, preprocessing);
    }
    int plane = item.dim(2) * item.dim(3);
    float[] grey = new float[plane];
    for (int c = 0; c < channels; c++) for (int p = 0; p < plane; p++) grey[p] += item.data()[c * plane + p] / channels;
    return ImageOps.fromTensor(Tensor.of(grey, item.dim(2), item.dim(3)), ValueRange.minMax(grey));
  }

  /** One method's maps over the inputs, side by side, each with its colour bar. */
  public BufferedImage method(Evaluation.Result result) {
    List<Figure.Column> columns = new ArrayList<>();
    for (int i = 0; i < query.size(); i++) {
      columns.add(Figure.Column.of(overlay(result.attribution(), i), "item " + i, className(query.target(i))));
    }
    return Figure.render(result.method().name(), columns);
  }

  /** The input and every method, one row per item. */
  public BufferedImage panel(List<Evaluation.Result> results) {
    List<BufferedImage> rows = new ArrayList<>();
    for (int i = 0; i < query.size(); i++) {
      List<Figure.Column> columns = new ArrayList<>();
      int target = query.target(i);
      columns.add(Figure.Column.of(inputs.get(i), "input", String.format("p(target) %.3f", query.probability(i, target))));
      for (Evaluation.Result r : results) {
        columns.add(Figure.Column.of(overlay(r.attribution(), i), r.method().name(), String.format("%.2f s", r.seconds())));
      }
      String title = String.format("item %d: explaining %s; predicted %s", i, className(target), className(query.predicted(i)));
      rows.add(Figure.render(title, columns));
    }
    return stack(rows);
  }

  private BufferedImage overlay(Attribution attribution, int item) {
    BufferedImage base = inputs.get(item);
    Tensor maps = attribution.pixelMap(base.getHeight(), base.getWidth());
    int plane = maps.dim(1) * maps.dim(2);
    Tensor map = Tensor.of(Arrays.copyOfRange(maps.data(), item * plane, (item + 1) * plane), maps.dim(1), maps.dim(2));
    return Heatmaps.overlay(base, map, heatmapOptions(attribution).withColorBar(true));
  }

  /** How a method's maps are coloured: viridis for class activation maps, blue-white-red about zero for signed ones. */
  public static HeatmapOptions heatmapOptions(Attribution attribution) {
    // Gradient maps have a few extreme pixels; a symmetric scale to the 99.5th percentile of magnitudes shows the rest.
    return attribution.kind().signed()
        ? HeatmapOptions.signed().withNormalization(Normalization.symmetricPercentile(99.5))
        : HeatmapOptions.defaults();
  }

  private String className(int k) {
    String name = model.className(k);
    return name.equals("class " + k) ? name : k + " " + name;
  }

  private static BufferedImage stack(List<BufferedImage> rows) {
    int width = rows.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
    int height = rows.stream().mapToInt(BufferedImage::getHeight).sum();
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    int top = 0;
    for (BufferedImage row : rows) {
      g.drawImage(row, 0, top, null);
      top += row.getHeight();
    }
    g.dispose();
    return out;
  }
}
