package org.convscope.explain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.convscope.engine.InvalidInputException;

/**
 * The methods by the names users type, each with a factory that applies the method's default options. The
 * command line and the web UI look methods up here rather than switching on names.
 */
public final class Explainers {
  /** The batch size of the batched methods unless the caller picks another. */
  public static final int DEFAULT_BATCH_SIZE = 16;

  /**
   * One method.
   *
   * @param name the registry name
   * @param summary a short phrase for help texts
   * @param factory makes the method with its default options and the given batch size
   */
  public record Entry(String name, String summary, IntFunction<Explainer> factory) {}

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();
  /** The word that stands for every method in a list. */
  private static final String ALL = "all";

  static {
    add(Occlusion.NAME, "score drop when a sliding window is blanked", b -> {
      Occlusion.Options d = Occlusion.Options.defaults();
      return new Occlusion(new Occlusion.Options(d.window(), d.stride(), d.baseline(), b));
    });
    add(Rise.NAME, "score under random smooth masks", b -> {
      Rise.Options d = Rise.Options.defaults();
      return new Rise(new Rise.Options(d.masks(), d.cells(), d.keepProbability(), d.seed(), b));
    });
    add(Saliency.NAME, "input gradient", b -> new Saliency());
    add(InputXGradient.NAME, "input times input gradient", b -> new InputXGradient());
    add(SmoothGrad.NAME, "input gradient averaged over noisy copies", b -> {
      SmoothGrad.Options d = SmoothGrad.Options.defaults();
      return new SmoothGrad(new SmoothGrad.Options(d.samples(), d.noiseLevel(), d.seed(), b));
    });
    add(IntegratedGradients.NAME, "input gradient integrated from a black baseline", b -> {
      IntegratedGradients.Options d = IntegratedGradients.Options.defaults();
      return new IntegratedGradients(new IntegratedGradients.Options(d.steps(), d.baseline(), d.rule(), b));
    });
    add(Deconvnet.NAME, "input gradient with ReLUs rectifying the gradient", b -> new Deconvnet());
    add(GuidedBackprop.NAME, "input gradient with guided ReLUs", b -> new GuidedBackprop());
    add(Cam.NAME, "layer weighted by the linear classifier (pooled models only)", b -> new Cam());
    add(GradCam.NAME, "layer weighted by mean gradient", b -> new GradCam());
    add(GradCamPlusPlus.NAME, "layer weighted by positive gradients, higher-order", b -> new GradCamPlusPlus());
    add(LayerCam.NAME, "layer weighted by positive gradient at each position", b -> new LayerCam());
    add(ScoreCam.NAME, "layer weighted by the score of each channel as a mask", b -> new ScoreCam(new ScoreCam.Options(b)));
    add(GuidedGradCam.NAME, "guided backpropagation times Grad-CAM", b -> new GuidedGradCam());
  }

  private Explainers() {}

  private static void add(String name, String summary, IntFunction<Explainer> factory) {
    ENTRIES.put(name, new Entry(name, summary, factory));
  }

  /** Every method, in a fixed order: perturbation, gradient, then class activation maps. */
  public static List<Entry> entries() {
    return List.copyOf(ENTRIES.values());
  }

  public static List<String> names() {
    return List.copyOf(ENTRIES.keySet());
  }

  /** The method of this name with its default options. */
  public static Explainer create(String name) {
    return create(name, DEFAULT_BATCH_SIZE);
  }

  /** The method of this name with its default options and the given batch size for its batched passes. */
  public static Explainer create(String name, int batchSize) {
    Entry entry = ENTRIES.get(name);
    if (entry == null) {
      throw new InvalidInputException("unknown method '" + name + "'; known methods: " + String.join(", ", names()));
    }
    return entry.factory().apply(batchSize);
  }

  /** Whether a comma-separated list of methods names {@code all} among them. */
  public static boolean asksForAll(String list) {
    for (String part : list.split(",")) {
      if (part.trim().equals(ALL)) return true;
    }
    return false;
  }

  /**
   * The methods of a comma-separated list such as {@code saliency,gradcam}, or all of them for {@code all}.
   *
   * @throws InvalidInputException for an empty list or an unknown name, listing the known ones
   */
  public static List<Explainer> parse(String list, int batchSize) {
    Set<String> chosen = new LinkedHashSet<>();
    for (String part : list.split(",")) {
      String name = part.trim();
      if (name.equals(ALL)) chosen.addAll(names());
      else if (!name.isEmpty()) chosen.add(name);
    }
    if (chosen.isEmpty()) {
      throw new InvalidInputException("no method given; known methods: " + String.join(", ", names()) + " (or all)");
    }
    List<Explainer> explainers = new ArrayList<>();
    for (String name : chosen) explainers.add(create(name, batchSize));
    return explainers;
  }
}
