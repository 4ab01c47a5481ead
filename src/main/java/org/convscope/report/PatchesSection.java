package org.convscope.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.inspect.LayerInfo;
import org.convscope.inspect.ReceptiveField;
import org.convscope.units.MaximallyActivatingPatches;
import org.convscope.units.PassListener;

/**
 * The dataset patches that activate some units of the last conv stage most (Zeiler and Fergus, ECCV 2014), one
 * row per unit, cut through the layer's exact receptive field; the patches as JSON beside the picture.
 */
public final class PatchesSection implements ReportSection {
  private final int units;
  private final int top;

  /**
   * @param units how many units (the first channels of the layer)
   * @param top patches per unit
   */
  public PatchesSection(int units, int top) {
    this.units = units;
    this.top = top;
  }

  @Override
  public String title() {
    return "Top patches";
  }

  @Override
  public String write(ReportContext c) throws java.io.IOException {
    LayerInfo stage = Stages.last(c);
    String name = Stages.name(stage);
    MaximallyActivatingPatches.Options options = MaximallyActivatingPatches.Options.defaults()
        .withChannels(Stages.firstChannels(stage, units)).withTop(top).withBatchSize(256);
    MaximallyActivatingPatches.Result result = MaximallyActivatingPatches.find(c.model(), c.preprocessing(), c.data(),
        stage.tensor(), options, PassListener.NONE, () -> false);
    String png = c.png("units/patches.png", UnitPictures.patches(result, c.data(), 48,
        String.format("%s: top %d of %,d images", name, top, result.images())));
    String json = ReportJson.write(c, "units/patches.json", toJson(name, result));
    return Html.p(String.format("For units 0 to %d of %s, the %d images of the %,d whose patch activates the unit most, best first;"
        + " each patch is the unit's receptive field (%s), framed in orange where it reaches past the image border.",
        result.units().size() - 1, name, top, result.images(), result.field().describe()))
        + Html.img(png, "top patches") + Html.p("") + Html.link(json, "patches as JSON");
  }

  static Map<String, Object> toJson(String layer, MaximallyActivatingPatches.Result result) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("layer", layer);
    root.put("images", result.images());
    ReceptiveField f = result.field();
    root.put("receptive_field", Map.of("size", new int[] {f.height().size(), f.width().size()},
        "jump", new int[] {f.height().jump(), f.width().jump()}, "start", new int[] {f.height().start(), f.width().start()}));
    List<Map<String, Object>> units = new ArrayList<>();
    for (MaximallyActivatingPatches.Unit unit : result.units()) {
      List<Map<String, Object>> patches = new ArrayList<>();
      for (MaximallyActivatingPatches.Patch p : unit.patches()) {
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("value", p.activation().value());
        patch.put("image", p.activation().image());
        patch.put("label", p.label());
        patch.put("y", p.activation().y());
        patch.put("x", p.activation().x());
        patch.put("box", new int[] {p.top(), p.left(), p.height(), p.width()});
        patch.put("clipped", p.clipped());
        patches.add(patch);
      }
      units.add(Map.of("channel", unit.channel(), "patches", patches));
    }
    root.put("units", units);
    return root;
  }
}
