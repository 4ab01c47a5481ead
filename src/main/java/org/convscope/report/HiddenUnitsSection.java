package org.convscope.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.convscope.inspect.LayerInfo;
import org.convscope.units.MaximallyActivatingPatches;
import org.convscope.units.NetworkDissection;
import org.convscope.units.PassListener;
import org.convscope.units.TopActivations;

/**
 * What some units of the last conv stage respond to, from one pass over the data: where they fire, as Network
 * Dissection masks (Bau et al., CVPR 2017: each unit's upsampled map above the 0.995 quantile of all its
 * activations over the data), and the patches that activate them most (Zeiler and Fergus, ECCV 2014: each
 * image's best position, cut through the layer's exact receptive field). Both show the same images: those where
 * the unit peaks highest. The thresholds, masks and patches as JSON beside the pictures.
 */
public final class HiddenUnitsSection implements ReportSection {
  private final int units;
  private final int images;

  /**
   * @param units how many units (the first channels of the layer)
   * @param images images per unit, best first
   */
  public HiddenUnitsSection(int units, int images) {
    this.units = units;
    this.images = images;
  }

  @Override
  public String title() {
    return "Hidden units";
  }

  @Override
  public String write(ReportContext c) throws java.io.IOException {
    LayerInfo stage = Stages.last(c);
    String name = Stages.name(stage);
    int[] channels = Stages.firstChannels(stage, units);
    NetworkDissection.Options options = NetworkDissection.Options.defaults().withTop(images).withBatchSize(256);
    List<NetworkDissection.Result> masks = NetworkDissection.masks(c.model(), c.preprocessing(), c.data(), stage.tensor(),
        channels, options, PassListener.NONE, () -> false);
    // The masks' pass kept each unit's best images and positions: the patches need no pass of their own.
    List<List<TopActivations.Activation>> best = new ArrayList<>();
    for (NetworkDissection.Result r : masks) best.add(r.masks().stream().map(m -> m.activation(r.channel())).toList());
    MaximallyActivatingPatches.Result patches = MaximallyActivatingPatches.locate(c.model(), c.data(), stage.tensor(), channels, best);

    String masksPng = c.png("units/masks.png", UnitPictures.maskRows(masks, 112,
        String.format("%s: above the %s quantile over %,d images", name, options.quantile(), c.data().size())));
    String masksJson = ReportJson.write(c, "units/masks.json", UnitJson.masks(name, options.quantile(), masks));
    String patchesPng = c.png("units/patches.png", UnitPictures.patches(patches, c.data(), 48,
        String.format("%s: top %d of %,d images", name, images, patches.images())));
    Map<String, Object> patchesMap = UnitJson.patches(patches);
    patchesMap.put("layer", name); // the layer's name rather than its tensor's
    String patchesJson = ReportJson.write(c, "units/patches.json", patchesMap);

    StringBuilder sb = new StringBuilder(Html.p(String.format("Units 0 to %d of %s, one row each, on the %d images of the %,d"
        + " where the unit peaks highest, best first.", channels.length - 1, name, images, c.data().size())));
    sb.append("<h3>Masks</h3>").append(Html.p(String.format("Each unit's map, upsampled to the image, keeps what lies above the"
        + " %s quantile of all the unit's activations over the data (its top %.1f%%); outside the mask the image is dimmed.",
        options.quantile(), 100 * (1 - options.quantile()))));
    sb.append(Html.img(masksPng, "unit masks")).append("<table><tr><th>unit</th><th>threshold</th><th>mean coverage</th></tr>");
    for (NetworkDissection.Result r : masks) {
      double coverage = r.masks().stream().mapToDouble(NetworkDissection.UnitMask::coverage).average().orElse(0);
      sb.append("<tr><td>#").append(r.channel()).append("</td><td class=\"num\">").append(String.format("%.4g", r.datasetThreshold()))
          .append("</td><td class=\"num\">").append(String.format("%.1f%%", 100 * coverage)).append("</td></tr>");
    }
    sb.append("</table>").append(Html.link(masksJson, "thresholds and masks as JSON"));
    sb.append("<h3>Top patches</h3>").append(Html.p(String.format("Each patch is the unit's receptive field (%s) around its"
        + " best position on the image, framed in orange where the field reaches past the image border.", patches.field().describe())));
    sb.append(Html.img(patchesPng, "top patches")).append(Html.p("")).append(Html.link(patchesJson, "patches as JSON"));
    return sb.toString();
  }
}
