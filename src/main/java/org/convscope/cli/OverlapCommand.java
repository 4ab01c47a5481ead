package org.convscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.convscope.embed.ClassOverlap;
import org.convscope.embed.FeatureDatabase;
import org.convscope.embed.NeighborGraph;
import org.convscope.embed.Space;
import org.convscope.render.ConfusionMatrixPlot;
import org.convscope.render.PngFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convscope overlap --db DIR}: which classes share neighbourhoods in a feature space. */
@Command(name = "overlap", description = "The pairs of classes whose k-NN neighbourhoods mix most in a feature space.")
final class OverlapCommand implements Callable<Integer> {
  @Option(names = "--db", required = true, paramLabel = "DIR", description = "A feature database made by convscope embed.")
  Path db;

  @Option(names = "--layer", paramLabel = "NAME", description = "Which feature space, when the database holds several.")
  String layer;

  @Option(names = "--model", paramLabel = "MODEL", description = "Selects the space of this model, when the database holds several.")
  Path model;

  @Option(names = "-k", paramLabel = "K", description = "Neighbours per point (default: ${DEFAULT-VALUE}).")
  int k = 10;

  @Option(names = "--top", paramLabel = "N", description = "Pairs to list (default: ${DEFAULT-VALUE}).")
  int top = 10;

  @Option(names = "--out", paramLabel = "FILE.png", description = "Also draw the class-by-class neighbour matrix.")
  Path out;

  @Option(names = "--json", description = "Print the matrix and every pair as JSON.")
  boolean json;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (k < 1) throw new UserException("-k must be at least 1, not " + k);
    if (top < 1) throw new UserException("--top must be at least 1, not " + top);
    PrintWriter stdout = spec.commandLine().getOut();
    try (FeatureDatabase database = FeatureDatabase.open(db)) {
      Space space = FeatureSpaces.select(database, layer, model);
      List<FeatureDatabase.Entry> entries = database.entries(space);
      int n = entries.size();
      int d = space.dimension();
      if (k >= n) throw new UserException("-k " + k + " needs more than the " + n + " vectors of " + space.describe());
      List<String> classNames = FeatureSpaces.classNames(database, space);
      if (classNames.isEmpty()) throw new UserException(db + " holds no labels for " + space.describe() + "; class overlap needs them");
      float[] x = FeatureSpaces.matrix(entries, d);
      int[] labels = FeatureSpaces.labels(entries);
      // Stored vectors are prepared for the space's metric, so Euclidean neighbours are the metric's neighbours.
      ClassOverlap overlap = ClassOverlap.compute(NeighborGraph.build(x, n, d, k, () -> false), labels, classNames);
      if (json) {
        stdout.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(space, overlap)));
      } else {
        stdout.printf(Locale.ROOT, "classes whose %d-NN neighbourhoods mix most in %s (%,d vectors):%n", k, space.describe(), n);
        for (ClassOverlap.Pair p : overlap.pairs().subList(0, Math.min(top, overlap.pairs().size()))) {
          stdout.printf(Locale.ROOT, "  %-14s %-14s %6.2f%%%n", classNames.get(p.first()), classNames.get(p.second()), 100 * p.mixing());
        }
      }
      if (out != null) {
        int[][] counts = new int[classNames.size()][classNames.size()];
        for (int a = 0; a < counts.length; a++) for (int b = 0; b < counts.length; b++) counts[a][b] = (int) overlap.counts()[a][b];
        PngFiles.write(ConfusionMatrixPlot.render(counts, classNames, k + "-NN neighbours by class: " + space.layer()
            + " of " + space.modelName() + " (row: class of the point, column: of its neighbour)"), out);
        if (!json) stdout.println("matrix drawn to " + out);
      }
    }
    return 0;
  }

  private Map<String, Object> toJson(Space space, ClassOverlap overlap) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("space", space);
    root.put("k", overlap.k());
    root.put("class_names", overlap.classNames());
    root.put("counts", overlap.counts());
    List<Map<String, Object>> pairs = new ArrayList<>();
    for (ClassOverlap.Pair p : overlap.pairs()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("first", overlap.classNames().get(p.first()));
      row.put("second", overlap.classNames().get(p.second()));
      row.put("mixing", p.mixing());
      pairs.add(row);
    }
    root.put("pairs", pairs);
    return root;
  }
}
