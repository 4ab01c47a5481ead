package org.convscope.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.convscope.explain.Attribution;
import org.convscope.explain.Evaluation;
import org.convscope.explain.Explainer;
import org.convscope.explain.Explainers;
import org.convscope.explain.Query;
import org.convscope.inspect.Activations;
import org.convscope.inspect.Filters;
import org.convscope.inspect.LayerInfo;
import org.convscope.render.Heatmaps;
import org.convscope.render.ImageOps;
import org.convscope.render.LayerImages;
import org.convscope.render.PngFiles;
import org.convscope.report.ExplanationPictures;
import org.convscope.report.UnitPictures;
import org.convscope.tensor.Tensor;
import org.convscope.units.FiringRates;
import org.convscope.units.GradientAscent;
import org.convscope.units.InputSpace;
import org.convscope.units.MaximallyActivatingPatches;
import org.convscope.units.NetworkDissection;
import org.convscope.units.Objective;

/**
 * The explorer's results, each a cached job over one library call: the key names the model, the analysis and
 * its parameters; the task calls the analysis and draws its figure with {@code render}. Nothing is computed here
 * that the library does not compute for the command line too.
 */
final class Analyses {
  /** How long a page waits for a quick result (filters, activations, one explanation) before giving up. */
  static final long WAIT_SECONDS = 600;
  /** Images drawn at least this large, as the report does, so that small inputs stay legible. */
  static final int DISPLAY = 224;
  static final ObjectMapper JSON = new ObjectMapper();

  private final Workspace ws;
  private final ResultCache cache;
  private final ExplorerOptions options;

  Analyses(Workspace ws, ResultCache cache, ExplorerOptions options) {
    this.ws = ws;
    this.cache = cache;
    this.options = options;
  }

  private String key(String... parts) {
    String[] all = new String[parts.length + 1];
    all[0] = ws.modelHash();
    System.arraycopy(parts, 0, all, 1, parts.length);
    return ResultCache.key(all);
  }

  /** A conv layer's filters as images (waits for them). */
  String filters(LayerInfo layer) throws TimeoutException, InterruptedException {
    String name = Workspace.name(layer);
    String key = key("filters", layer.node());
    cache.await(key, "filters of " + name, job -> {
      Filters.ConvWeights conv = Filters.layer(ws.model(), layer.node());
      int inputs = conv.weights().dim(1);
      BufferedImage image = inputs == 1 || inputs == 3 ? LayerImages.asImages(conv.weights(), name)
          : LayerImages.perInputChannel(conv.weights(), firstFilters(conv.weights().dim(0)), name);
      return Map.of("png", PngFiles.encode(image));
    }, WAIT_SECONDS);
    return ResultCache.url(key, "png");
  }

  private static List<Integer> firstFilters(int count) {
    List<Integer> chosen = new ArrayList<>();
    for (int i = 0; i < Math.min(8, count); i++) chosen.add(i);
    return chosen;
  }

  /** Every channel's activation map at a layer for one image (waits for them). */
  String activations(LayerInfo layer, Workspace.ImageRef image) throws TimeoutException, InterruptedException {
    String name = Workspace.name(layer);
    String key = key("activations", layer.tensor(), image.id());
    cache.await(key, "activations of " + name, job -> {
      Activations.Result r = Activations.of(ws.model(), ws.input(image), layer.tensor(), 0);
      return Map.of("png", PngFiles.encode(LayerImages.activationGrid(r.maps(), r.channels(), name, false)));
    }, WAIT_SECONDS);
    return ResultCache.url(key, "png");
  }

  /** The image at display size (waits for it). */
  String input(Workspace.ImageRef image) throws TimeoutException, InterruptedException {
    String key = key("input", image.id());
    cache.await(key, "input", job -> Map.of("png", PngFiles.encode(enlarged(ws.display(image)))), WAIT_SECONDS);
    return ResultCache.url(key, "png");
  }

  private static BufferedImage enlarged(BufferedImage image) {
    int factor = (int) Math.ceil(DISPLAY / (double) Math.max(image.getWidth(), image.getHeight()));
    return factor > 1 ? ImageOps.upscale(image, factor) : image;
  }

  /** How often each unit of a layer fires over the dataset: a background pass. */
  Job firingRates(LayerInfo layer) {
    String key = key("firing", layer.tensor(), String.valueOf(options.batchSize()));
    return cache.submit(key, "firing rates over the dataset", job -> {
      FiringRates.Result r = FiringRates.compute(ws.model(), ws.preprocessing(), ws.data(), layer.tensor(),
          new FiringRates.Options(0f, options.batchSize()), (pass, done, total) -> job.progress(pass, done, total), job::cancelled);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("images", r.images());
      json.put("ranked", r.ranked());
      json.put("fired", r.fired());
      json.put("mean_peak", r.meanPeak());
      return Map.of("json", JSON.writeValueAsBytes(json));
    });
  }

  /**
   * The top patches of every unit of a layer: one background pass for all its units, drawn one unit per file
   * ({@code u<C>.png}) so that each unit page shows its own.
   */
  Job patches(LayerInfo layer) {
    int top = options.patches();
    String key = key("patches", layer.tensor(), String.valueOf(top), String.valueOf(options.batchSize()));
    return cache.submit(key, "top patches over the dataset", job -> {
      MaximallyActivatingPatches.Result r = MaximallyActivatingPatches.find(ws.model(), ws.preprocessing(), ws.data(),
          layer.tensor(), MaximallyActivatingPatches.Options.defaults().withTop(top).withBatchSize(options.batchSize()),
          (pass, done, total) -> job.progress(pass, done, total), job::cancelled);
      Map<String, byte[]> parts = new LinkedHashMap<>();
      for (MaximallyActivatingPatches.Unit unit : r.units()) {
        MaximallyActivatingPatches.Result one = new MaximallyActivatingPatches.Result(r.layer(), r.field(), r.images(), List.of(unit));
        String title = String.format("%s #%d: top %d of %,d images", Workspace.name(layer), unit.channel(), top, r.images());
        parts.put("u" + unit.channel() + ".png", PngFiles.encode(UnitPictures.patches(one, ws.data(), 64, title)));
      }
      return parts;
    });
  }

  /** A unit's Network Dissection masks on the images where it peaks highest: a background pass. */
  Job masks(LayerInfo layer, int channel) {
    NetworkDissection.Options o = NetworkDissection.Options.defaults().withTop(options.masks()).withBatchSize(options.batchSize());
    String key = key("masks", layer.tensor(), String.valueOf(channel), o.toString());
    return cache.submit(key, "threshold masks", job -> {
      NetworkDissection.Result r = NetworkDissection.masks(ws.model(), ws.preprocessing(), ws.data(), layer.tensor(), channel, o,
          (pass, done, total) -> job.progress(pass, done, total), job::cancelled);
      String title = String.format("%s #%d above %.4g (the %s quantile)", Workspace.name(layer), channel, r.datasetThreshold(), o.quantile());
      return Map.of("png", PngFiles.encode(UnitPictures.masks(r, 112, title)));
    });
  }

  /** The image that maximizes a unit's mean activation, by gradient ascent from noise: a background job. */
  Job visualization(LayerInfo layer, int channel) {
    GradientAscent.Options o = GradientAscent.Options.defaults().withSteps(options.visualizationSteps());
    String key = key("visualize", layer.tensor(), String.valueOf(channel), o.toString());
    return cache.submit(key, "feature visualization", job -> {
      int[] shape = ws.inputShape();
      GradientAscent.Result r = GradientAscent.run(ws.model(), ws.preprocessing(), new Objective.ChannelMean(layer.tensor(), channel),
          new GradientAscent.Noise(shape[2], shape[3], 0.1, o.seed()), o,
          (step, steps, objective) -> job.progress("step", step + 1, steps), job::cancelled);
      BufferedImage picture = UnitPictures.picture(r.image(), new InputSpace(ws.preprocessing()));
      return Map.of("png", PngFiles.encode(UnitPictures.enlarged(picture, DISPLAY)));
    });
  }

  /**
   * One method's explanation of one image for a class at a layer: the map coloured at display size
   * ({@code png}, drawn over the input by the page at the opacity the user picks) and its scores ({@code json}:
   * seconds, deletion and insertion AUC).
   *
   * @param layer the layer of the CAM methods, or null for the automatic choice
   */
  String explanation(Workspace.ImageRef image, String method, int target, LayerInfo layer)
      throws TimeoutException, InterruptedException {
    String key = explanationKey(image, method, target, layer);
    cache.await(key, method + " explanation", explanationTask(image, method, target, layer), WAIT_SECONDS);
    return key;
  }

  /** The cache key of an explanation: what the image page gives its card, to follow and cancel the job. */
  String explanationKey(Workspace.ImageRef image, String method, int target, LayerInfo layer) {
    String layerName = layer == null ? "" : layer.tensor();
    return key("explain", image.id(), method, String.valueOf(target), layerName, String.valueOf(options.batchSize()));
  }

  /** Starts an explanation in the background (or joins it), without waiting. */
  Job explanationJob(Workspace.ImageRef image, String method, int target, LayerInfo layer) {
    return cache.submit(explanationKey(image, method, target, layer), method + " explanation", explanationTask(image, method, target, layer));
  }

  private ResultCache.Task explanationTask(Workspace.ImageRef image, String method, int target, LayerInfo layer) {
    return job -> {
      Tensor x = ws.input(image);
      Explainer explainer = Explainers.create(method, options.batchSize());
      // A layer given to a method that does not read one would only make the query record its forward pass twice.
      String layerName = layer == null || !explainer.usesLayer() ? null : Workspace.name(layer);
      Evaluation.Result r;
      String layerUsed;
      try (Query query = Query.forClass(ws.model(), x, target, layerName)) {
        query.reportingTo((done, total) -> job.progress(method, done, total));
        r = Evaluation.run(query, List.of(explainer), Evaluation.Options.defaults()).get(0);
        layerUsed = r.method().usesLayer() ? query.layer().name() : null;
      }
      Attribution a = r.attribution();
      BufferedImage base = enlarged(ws.display(image));
      // Input-shaped maps stay at the input's resolution; the heatmap upsamples them as it does layer maps.
      Tensor maps = a.pixelMap(base.getHeight(), base.getWidth());
      BufferedImage heat = Heatmaps.image(maps.reshape(maps.dim(1), maps.dim(2)), base.getWidth(), base.getHeight(),
          ExplanationPictures.heatmapOptions(a));
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("method", method);
      json.put("target", target);
      json.put("target_name", ws.model().className(target));
      json.put("layer", layerUsed);
      json.put("kind", a.kind().name().toLowerCase());
      json.put("seconds", r.seconds());
      json.put("deletion_auc", r.deletionInsertion().deletionAuc()[0]);
      json.put("insertion_auc", r.deletionInsertion().insertionAuc()[0]);
      json.put("heatmap", ResultCache.url(job.key(), "png"));
      Map<String, byte[]> parts = new LinkedHashMap<>();
      parts.put("png", PngFiles.encode(heat));
      parts.put("json", JSON.writeValueAsBytes(json));
      return parts;
    };
  }

  /** A result's JSON part as a map. */
  @SuppressWarnings("unchecked")
  Map<String, Object> json(String key) throws IOException {
    return JSON.readValue(cache.read(key, "json"), Map.class);
  }
}
