package org.convscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convscope.explain.DeletionInsertion;
import org.convscope.explain.Evaluation;
import org.convscope.explain.Explainer;
import org.convscope.explain.Explainers;
import org.convscope.explain.Layer;
import org.convscope.explain.ModelRandomization;
import org.convscope.explain.PointingGame;
import org.convscope.explain.Query;
import org.convscope.input.InputLoader;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.render.PngFiles;
import org.convscope.report.ExplanationPictures;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code convscope explain MODEL --input FILE}: why the model chose a class, by the methods asked for. Writes
 * each method's raw map as DIR/METHOD.npy and its picture as DIR/METHOD.png, the panel of all methods as
 * DIR/panel.png, and summary.json with the prediction, target, layer, and each method's time and faithfulness
 * scores.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, description = "Explain a decision: which parts of the input made the model choose a class.")
final class ExplainCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "An ONNX model file.")
  Path model;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "An image (PNG, JPEG) or a .npy batch [N,C,H,W].")
  Path input;

  @Option(names = "--method", paramLabel = "M1,M2,...", completionCandidates = MethodNames.class,
      description = "Methods, comma-separated, or all (default: ${DEFAULT-VALUE}). Known: ${COMPLETION-CANDIDATES}.")
  String methods = "saliency,gradcam";

  /** The registry's method names, for the help text. */
  static final class MethodNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return Explainers.names().iterator();
    }
  }

  @Option(names = "--layer", paramLabel = "NAME", description = "The layer of the CAM methods: a PyTorch module path or ONNX name "
      + "(default: the last layer with spatial extent before global pooling).")
  String layer;

  @Option(names = "--target", paramLabel = "K", description = "The class to explain (default: the predicted class).")
  Integer target;

  @Option(names = "--top-k", paramLabel = "K", description = "Explain the K most likely classes side by side.")
  Integer topK;

  @Option(names = "--out", paramLabel = "DIR", description = "Where to write the maps and summary.json (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("convscope-explain");

  @Option(names = "--batch-size", paramLabel = "B", description = "Inputs per forward pass for the batched methods and checks (default: ${DEFAULT-VALUE}).")
  int batchSize = Explainers.DEFAULT_BATCH_SIZE;

  @Option(names = "--preprocess", paramLabel = "NAME", description = "How images become inputs: imagenet or plain (default: what the model records).")
  String preprocess;

  @Option(names = "--box", paramLabel = "X0,Y0,X1,Y1", description = "The object's box in input pixels (ends exclusive), for the pointing game.")
  String box;

  @Option(names = "--sanity-layers", paramLabel = "K", description = "Re-initialize the top K layers in turn and report how much each map changes (default: off).")
  int sanityLayers;

  @Option(names = "--no-metrics", description = "Skip the deletion and insertion scores (a few dozen forward passes per method).")
  boolean noMetrics;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (target != null && topK != null) throw new UserException("--target and --top-k do not go together; give one");
    List<Explainer> explainers = Explainers.parse(methods, batchSize);
    PointingGame.Box pointingBox = box == null ? null : PointingGame.Box.parse(box);
    if (sanityLayers < 0) throw new UserException("--sanity-layers must be 0 or more, got " + sanityLayers);
    Model loaded = Model.load(model);
    // A .npy input is used as stored, whatever the model's channels; only images need a preprocessing.
    boolean npy = Npy.isNpy(input);
    Preprocessing preprocessing = npy ? displayPreprocessing(loaded) : Inputs.preprocessing(loaded, preprocess);
    Tensor batch = npy ? Npy.readFloat(input) : InputLoader.load(input, preprocessing);
    long bad = InputLoader.nonFiniteCount(batch);
    if (bad > 0) throw new UserException(input + ": " + bad + " values are NaN or infinite");

    Query query = topK != null ? Query.topK(loaded, batch, topK, layer)
        : target != null ? Query.forClass(loaded, batch, target, layer)
        : Query.predicted(loaded, batch, layer);
    boolean usesLayer = explainers.stream().anyMatch(Explainer::usesLayer);
    Layer chosen = usesLayer ? query.layer() : null;
    Evaluation.Options options = new Evaluation.Options(
        noMetrics ? null : withBatchSize(DeletionInsertion.Options.defaults()), pointingBox, 0,
        sanityLayers > 0 ? new ModelRandomization.Options(sanityLayers, 0) : null);
    // Asked for by name, a method that cannot explain this model is an error; under "all" it is skipped, with
    // the reason (CAM needs a pooled linear head, which ConvNeXt or MobileNetV3 lack).
    Map<String, String> skipped = new LinkedHashMap<>();
    List<Evaluation.Result> results = Evaluation.run(query, explainers, options,
        Explainers.asksForAll(methods) ? skipped : null);
    if (results.isEmpty()) {
      throw new UserException("no method could explain this model: " + skipped.values().iterator().next());
    }

    ExplanationPictures pictures = new ExplanationPictures(loaded, query, preprocessing);
    List<BufferedImage> images = new ArrayList<>();
    for (Evaluation.Result r : results) images.add(pictures.method(r));
    BufferedImage panel = pictures.panel(results);

    Files.createDirectories(out);
    for (int m = 0; m < results.size(); m++) {
      String name = results.get(m).method().name();
      Npy.write(out.resolve(name + ".npy"), results.get(m).attribution().map());
      PngFiles.write(images.get(m), out.resolve(name + ".png"));
    }
    PngFiles.write(panel, out.resolve("panel.png"));
    Map<String, Object> summary = summary(loaded, batch, query, chosen, results);
    if (!skipped.isEmpty()) summary.put("skipped", skipped);
    Files.writeString(out.resolve("summary.json"),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary) + "\n");
    print(loaded, query, chosen, results, skipped);
    return 0;
  }

  private DeletionInsertion.Options withBatchSize(DeletionInsertion.Options d) {
    return new DeletionInsertion.Options(d.steps(), d.deletedValue(), d.blur(), batchSize);
  }

  /** How a .npy input was probably normalized, to show it: the model's own record or guess; null if that fails. */
  private Preprocessing displayPreprocessing(Model loaded) {
    try {
      return Inputs.preprocessing(loaded, preprocess);
    } catch (IllegalArgumentException e) {
      return null; // channels no image has (2, 4, ...): shown as their mean instead
    }
  }

  private Map<String, Object> summary(Model loaded, Tensor batch, Query query, Layer chosen, List<Evaluation.Result> results) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", model.toString());
    root.put("input", input.toString());
    root.put("input_shape", query.batch().shape());
    int perInput = query.size() / batch.dim(0);
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < query.size(); i++) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("item", i);
      item.put("input_item", i / perInput);
      item.put("prediction", classEntry(loaded, query, i, query.predicted(i)));
      item.put("target", classEntry(loaded, query, i, query.target(i)));
      items.add(item);
    }
    root.put("items", items);
    if (chosen != null) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("name", chosen.name());
      l.put("tensor", chosen.tensor());
      l.put("shape", chosen.shape());
      l.put("automatic", chosen.automatic());
      root.put("layer", l);
    }
    List<Object> methodRows = new ArrayList<>();
    for (Evaluation.Result r : results) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", r.method().name());
      m.put("file", r.method().name() + ".npy");
      m.put("kind", r.attribution().kind().name().toLowerCase());
      m.put("shape", r.attribution().map().shape());
      m.put("seconds", r.seconds());
      if (!r.attribution().diagnostics().isEmpty()) m.put("diagnostics", r.attribution().diagnostics());
      if (r.deletionInsertion() != null) {
        m.put("deletion_auc", r.deletionInsertion().deletionAuc());
        m.put("insertion_auc", r.deletionInsertion().insertionAuc());
        m.put("deletion_curve", r.deletionInsertion().deletion());
        m.put("insertion_curve", r.deletionInsertion().insertion());
      }
      if (r.pointing() != null) m.put("pointing_game_hit", r.pointing());
      if (r.randomization() != null) {
        List<Object> steps = new ArrayList<>();
        for (ModelRandomization.Step s : r.randomization()) {
          steps.add(Map.of("layer", s.layer(), "spearman", s.spearman()));
        }
        m.put("randomization", steps);
      }
      methodRows.add(m);
    }
    root.put("methods", methodRows);
    return root;
  }

  private static Map<String, Object> classEntry(Model loaded, Query query, int item, int k) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("class", k);
    e.put("name", loaded.className(k));
    e.put("score", query.logits().get(item, k));
    e.put("probability", query.probability(item, k));
    return e;
  }

  private void print(Model loaded, Query query, Layer chosen, List<Evaluation.Result> results,
      Map<String, String> skipped) {
    PrintWriter w = spec.commandLine().getOut();
    for (int i = 0; i < query.size(); i++) {
      int predicted = query.predicted(i);
      w.printf("item %d: predicted %d (%s), explaining %d (%s)%n", i, predicted, loaded.className(predicted),
          query.target(i), loaded.className(query.target(i)));
    }
    if (chosen != null) w.println("layer: " + chosen.describe());
    for (Evaluation.Result r : results) {
      StringBuilder line = new StringBuilder(String.format("%-21s %8.2f s  %s", r.method().name(), r.seconds(),
          Shapes.toString(r.attribution().map().shape())));
      if (r.deletionInsertion() != null) {
        line.append(String.format("  deletion AUC %.3f  insertion AUC %.3f", mean(r.deletionInsertion().deletionAuc()),
            mean(r.deletionInsertion().insertionAuc())));
      }
      w.println(line);
    }
    skipped.forEach((name, why) -> w.printf("%-21s skipped: %s%n", name, why));
    w.println("wrote " + results.size() + " maps (.npy and .png), panel.png and summary.json to " + out);
    w.flush();
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double d : v) s += d;
    return s / v.length;
  }
}
