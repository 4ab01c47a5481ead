package org.convscope.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.inspect.LayerInfo;
import org.convscope.units.NetworkDissection;
import org.convscope.units.PassListener;

/**
 * Where some units of the last conv stage fire: Network Dissection masks (Bau et al., CVPR 2017), each unit's
 * upsampled map thresholded at the 0.995 quantile of its activations over the whole dataset, on the images
 * where it peaks highest. The thresholds and masked images as JSON beside the picture.
 */
public final class MasksSection implements ReportSection {
  private final int units;
  private final int images;

  /**
   * @param units how many units (the first channels of the layer)
   * @param images masked images per unit
   */
  public MasksSection(int units, int images) {
    this.units = units;
    this.images = images;
  }

  @Override
  public String title() {
    return "Unit masks";
  }

  @Override
  public String write(ReportContext c) throws java.io.IOException {
    LayerInfo stage = Stages.last(c);
    String name = Stages.name(stage);
    NetworkDissection.Options options = NetworkDissection.Options.defaults().withTop(images).withBatchSize(256);
    List<NetworkDissection.Result> results = NetworkDissection.masks(c.model(), c.preprocessing(), c.data(), stage.tensor(),
        Stages.firstChannels(stage, units), options, PassListener.NONE, () -> false);
    String png = c.png("units/masks.png", UnitPictures.maskRows(results, 96,
        String.format("%s: above the %s quantile over %,d images", name, options.quantile(), c.data().size())));
    String json = ReportJson.write(c, "units/masks.json", toJson(name, options.quantile(), results));
    StringBuilder sb = new StringBuilder(Html.p(String.format("For units 0 to %d of %s: each unit's map, upsampled to the image,"
        + " keeps what lies above the %s quantile of all the unit's activations over the %,d images (the top %.1f%%);"
        + " outside the mask the image is dimmed. Each row shows the %d images where the unit peaks highest.",
        results.size() - 1, name, options.quantile(), c.data().size(), 100 * (1 - options.quantile()), images)));
    sb.append(Html.img(png, "unit masks")).append("<table><tr><th>unit</th><th>threshold</th><th>mean coverage</th></tr>");
    for (NetworkDissection.Result r : results) {
      double coverage = r.masks().stream().mapToDouble(NetworkDissection.UnitMask::coverage).average().orElse(0);
      sb.append("<tr><td>#").append(r.channel()).append("</td><td class=\"num\">").append(String.format("%.4g", r.datasetThreshold()))
          .append("</td><td class=\"num\">").append(String.format("%.1f%%", 100 * coverage)).append("</td></tr>");
    }
    return sb.append("</table>").append(Html.link(json, "thresholds and masks as JSON")).toString();
  }

  private static Map<String, Object> toJson(String layer, double quantile, List<NetworkDissection.Result> results) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("layer", layer);
    root.put("quantile", quantile);
    List<Map<String, Object>> units = new ArrayList<>();
    for (NetworkDissection.Result r : results) {
      List<Map<String, Object>> masks = new ArrayList<>();
      for (NetworkDissection.UnitMask m : r.masks()) {
        masks.add(Map.of("image", m.image(), "label", m.label(), "peak", m.peak(), "coverage", m.coverage()));
      }
      Map<String, Object> unit = new LinkedHashMap<>();
      unit.put("channel", r.channel());
      unit.put("threshold", r.datasetThreshold());
      unit.put("activations", r.activations());
      unit.put("images", masks);
      units.add(unit);
    }
    root.put("units", units);
    return root;
  }
}
