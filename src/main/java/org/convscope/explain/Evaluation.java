package org.convscope.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.convscope.engine.InvalidInputException;

/**
 * Runs several methods on one query, timing each and scoring its maps with the faithfulness checks: what the
 * command line and the web UI show side by side. Every map is made before any check runs, so a method that
 * cannot explain this model (CAM without a linear head) fails before the slow checks start.
 */
public final class Evaluation {

  /**
   * Which checks to run.
   *
   * @param deletionInsertion the deletion and insertion curves' options, or null to skip them
   * @param box the object's bounding box for the pointing game, or null to skip it
   * @param pointingTolerance pixels of slack around the box
   * @param randomization the model-randomization check's options, or null to skip it (it explains the query
   *     again once per layer re-initialized)
   */
  public record Options(DeletionInsertion.Options deletionInsertion, PointingGame.Box box, int pointingTolerance,
      ModelRandomization.Options randomization) {
    public Options {
      if (pointingTolerance < 0) {
        throw new InvalidInputException("pointing game tolerance must be >= 0, got " + pointingTolerance);
      }
    }

    /** Deletion and insertion with their defaults; no pointing game, no randomization check. */
    public static Options defaults() {
      return new Options(DeletionInsertion.Options.defaults(), null, 0, null);
    }
  }

  /**
   * One method's outcome; a check that was not asked for is null.
   *
   * @param seconds the wall-clock time the method took, sharing the query's forward pass (and any backward pass
   *     an earlier method already made)
   */
  public record Result(Explainer method, Attribution attribution, double seconds, DeletionInsertion.Result deletionInsertion,
      boolean[] pointing, List<ModelRandomization.Step> randomization) {}

  private Evaluation() {}

  public static List<Result> run(Query query, List<Explainer> methods, Options options) {
    return run(query, methods, options, null);
  }

  /**
   * The same, except that when {@code skipped} is not null a method that cannot explain this model (it throws
   * an InvalidInputException, as CAM does without a pooled linear head) is left out, its reason put in
   * {@code skipped} under its name. Bad options still fail first.
   */
  public static List<Result> run(Query query, List<Explainer> methods, Options options, Map<String, String> skipped) {
    int height = query.batch().dim(2);
    int width = query.batch().dim(3);
    if (options.box() != null) PointingGame.checkInside(options.box(), height, width);
    List<Explainer> ran = new ArrayList<>();
    List<Attribution> maps = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    for (Explainer method : methods) {
      long start = System.nanoTime();
      try {
        maps.add(method.explain(query));
      } catch (InvalidInputException e) {
        if (skipped == null) throw e;
        skipped.put(method.name(), e.getMessage());
        continue;
      }
      seconds.add((System.nanoTime() - start) / 1e9);
      ran.add(method);
    }
    List<Result> results = new ArrayList<>();
    for (int m = 0; m < ran.size(); m++) {
      Explainer method = ran.get(m);
      Attribution map = maps.get(m);
      DeletionInsertion.Result curves = options.deletionInsertion() == null ? null
          : DeletionInsertion.evaluate(query, map, options.deletionInsertion());
      boolean[] pointing = options.box() == null ? null
          : PointingGame.hits(map, height, width, options.box(), options.pointingTolerance());
      List<ModelRandomization.Step> randomization = options.randomization() == null ? null
          : ModelRandomization.check(query, method, map, options.randomization());
      results.add(new Result(method, map, seconds.get(m), curves, pointing, randomization));
    }
    return results;
  }
}
