package org.convscope.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convscope.engine.InvalidModelException;
import org.convscope.engine.ValueInfo;
import org.convscope.input.Preprocessing;

/**
 * The preprocessing a model expects, stored in its metadata_props so that loading it needs no flags:
 * {@code preprocess.mean} and {@code preprocess.std} (comma-separated, one per channel), {@code preprocess.channels},
 * and {@code preprocess.resize}: {@code keep}, {@code HxW}, or {@code S/HxW} (shorter side S, then a centre crop).
 * Models without these keys get a guess from their input shape: ImageNet's for 3x224x224, plain [0,1] otherwise.
 */
public final class ModelPreprocessing {
  static final String MEAN = "preprocess.mean";
  static final String STD = "preprocess.std";
  static final String CHANNELS = "preprocess.channels";
  static final String RESIZE = "preprocess.resize";

  private ModelPreprocessing() {}

  /** The metadata entries describing {@code p}. */
  public static Map<String, String> toMetadata(Preprocessing p) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(MEAN, join(p.mean()));
    m.put(STD, join(p.std()));
    m.put(CHANNELS, String.valueOf(p.channels()));
    String resize;
    if (p.resize() instanceof Preprocessing.To to) resize = to.height() + "x" + to.width();
    else if (p.resize() instanceof Preprocessing.ShorterSideThenCrop c) resize = c.shorterSide() + "/" + c.height() + "x" + c.width();
    else resize = "keep";
    m.put(RESIZE, resize);
    return m;
  }

  /** What the model's metadata says, or a guess from its input shape when it says nothing. */
  public static Preprocessing of(Model model) {
    Map<String, String> m = model.graph().metadata();
    if (m.containsKey(MEAN)) return fromMetadata(m, model.source());
    return guess(model.inputInfo());
  }

  /** Whether the model records its own preprocessing. */
  public static boolean isRecorded(Model model) {
    return model.graph().metadata().containsKey(MEAN);
  }

  static Preprocessing fromMetadata(Map<String, String> m, String source) {
    try {
      int channels = Integer.parseInt(m.getOrDefault(CHANNELS, "3").trim());
      return new Preprocessing(parseResize(m.getOrDefault(RESIZE, "keep").trim()), channels, floats(m.get(MEAN)), floats(m.get(STD)));
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(source + ": bad preprocessing metadata: " + e.getMessage());
    }
  }

  private static Preprocessing guess(ValueInfo input) {
    int[] dims = input.dims();
    if (dims == null || dims.length != 4) return Preprocessing.plain(3);
    int channels = dims[1] == 1 ? 1 : 3;
    if (channels == 3 && dims[2] == 224 && dims[3] == 224) return Preprocessing.imagenet();
    Preprocessing plain = Preprocessing.plain(channels);
    return dims[2] > 0 && dims[3] > 0 ? plain.withResize(new Preprocessing.To(dims[2], dims[3])) : plain;
  }

  private static Preprocessing.Resize parseResize(String s) {
    if (s.equals("keep")) return new Preprocessing.Keep();
    int slash = s.indexOf('/');
    String[] hw = s.substring(slash + 1).split("x");
    if (hw.length != 2) throw new IllegalArgumentException("resize '" + s + "' should be keep, HxW or S/HxW");
    int h = Integer.parseInt(hw[0]);
    int w = Integer.parseInt(hw[1]);
    return slash < 0 ? new Preprocessing.To(h, w) : new Preprocessing.ShorterSideThenCrop(Integer.parseInt(s.substring(0, slash)), h, w);
  }

  private static List<Float> floats(String s) {
    if (s == null) throw new IllegalArgumentException("mean or std missing");
    List<Float> out = new ArrayList<>();
    for (String part : s.split(",")) out.add(Float.parseFloat(part.trim()));
    return out;
  }

  private static String join(List<Float> values) {
    StringBuilder sb = new StringBuilder();
    for (float v : values) {
      if (sb.length() > 0) sb.append(',');
      sb.append(v);
    }
    return sb.toString();
  }
}
