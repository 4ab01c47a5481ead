package org.convscope.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.inspect.ReceptiveField;
import org.convscope.units.MaximallyActivatingPatches;
import org.convscope.units.NetworkDissection;

/** The unit analyses' results as JSON-ready maps, for the report and the {@code patches --json} command alike. */
public final class UnitJson {
  private UnitJson() {}

  /** Layer, image count, receptive field and every unit's patches (value, image, label, position, field box, clipped). */
  public static Map<String, Object> patches(MaximallyActivatingPatches.Result result) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("layer", result.layer());
    root.put("images", result.images());
    ReceptiveField f = result.field();
    Map<String, Object> field = new LinkedHashMap<>();
    field.put("size", new int[] {f.height().size(), f.width().size()});
    field.put("jump", new int[] {f.height().jump(), f.width().jump()});
    field.put("start", new int[] {f.height().start(), f.width().start()});
    root.put("receptive_field", field);
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
      Map<String, Object> u = new LinkedHashMap<>();
      u.put("channel", unit.channel());
      u.put("patches", patches);
      units.add(u);
    }
    root.put("units", units);
    return root;
  }

  /** Layer, quantile and, per unit, its threshold over the data and its masked images (image, label, peak, coverage). */
  public static Map<String, Object> masks(String layer, double quantile, List<NetworkDissection.Result> results) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("layer", layer);
    root.put("quantile", quantile);
    List<Map<String, Object>> units = new ArrayList<>();
    for (NetworkDissection.Result r : results) {
      List<Map<String, Object>> masks = new ArrayList<>();
      for (NetworkDissection.UnitMask m : r.masks()) {
        Map<String, Object> mask = new LinkedHashMap<>();
        mask.put("image", m.image());
        mask.put("label", m.label());
        mask.put("peak", m.peak());
        mask.put("threshold", m.threshold());
        mask.put("coverage", m.coverage());
        masks.add(mask);
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
