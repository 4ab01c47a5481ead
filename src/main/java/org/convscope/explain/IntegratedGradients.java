package org.convscope.explain;

import java.util.Map;
import org.convscope.engine.InvalidInputException;
import org.convscope.tensor.Tensor;

/**
 * Integrated Gradients: Sundararajan, Taly and Yan, "Axiomatic Attribution for Deep Networks", ICML 2017.
 * {@code (x - x') * integral_0^1 grad f(x' + a (x - x')) da} for a constant baseline image x', the integral
 * taken by a quadrature rule. By completeness the attributions add up to {@code f(x) - f(x')}; the difference,
 * {@code completeness_delta}, is reported per item and shrinks as steps grow. The path's points run in batches.
 */
public final class IntegratedGradients implements Explainer {
  public static final String NAME = "integrated-gradients";
  /** Diagnostic key: sum of attributions minus (f(x) - f(baseline)), per item. */
  public static final String COMPLETENESS_DELTA = "completeness_delta";
  /** Diagnostic key: f(x) - f(baseline), per item, the size to judge the delta against. */
  public static final String SCORE_DIFFERENCE = "score_difference";

  /** Quadrature rules for the path integral over [0, 1]. */
  public enum Rule {
    RIEMANN_LEFT, RIEMANN_RIGHT, RIEMANN_MIDDLE, RIEMANN_TRAPEZOID, GAUSS_LEGENDRE;

    /** The points along the path, in [0, 1], and their weights, which add up to 1. */
    double[][] pointsAndWeights(int steps) {
      double[] a = new double[steps];
      double[] w = new double[steps];
      switch (this) {
        case RIEMANN_LEFT, RIEMANN_RIGHT, RIEMANN_MIDDLE -> {
          double shift = this == RIEMANN_LEFT ? 0 : this == RIEMANN_RIGHT ? 1 : 0.5;
          for (int i = 0; i < steps; i++) {
            a[i] = (i + shift) / steps;
            w[i] = 1.0 / steps;
          }
        }
        case RIEMANN_TRAPEZOID -> {
          for (int i = 0; i < steps; i++) {
            a[i] = (double) i / (steps - 1);
            w[i] = (i == 0 || i == steps - 1 ? 0.5 : 1.0) / (steps - 1);
          }
        }
        case GAUSS_LEGENDRE -> {
          double[][] gl = gaussLegendre(steps);
          for (int i = 0; i < steps; i++) {
            a[i] = (gl[0][i] + 1) / 2;
            w[i] = gl[1][i] / 2;
          }
        }
      }
      return new double[][] {a, w};
    }
  }

  /**
   * @param steps points along the path
   * @param baseline the constant value of the baseline image (0 is the dataset mean after the usual normalization)
   * @param rule how the integral is taken
   * @param batchSize path points per forward and backward pass
   */
  public record Options(int steps, float baseline, Rule rule, int batchSize) {
    public Options {
      if (steps < 1) throw new InvalidInputException("integrated gradients needs at least 1 step, got " + steps);
      if (rule == Rule.RIEMANN_TRAPEZOID && steps < 2) {
        throw new InvalidInputException("the trapezoid rule needs at least 2 steps, got " + steps);
      }
      if (!Float.isFinite(baseline)) throw new InvalidInputException("baseline must be finite, got " + baseline);
      if (rule == null) throw new InvalidInputException("integrated gradients needs a quadrature rule");
      if (batchSize < 1) throw new InvalidInputException("integrated gradients batch size must be at least 1, got " + batchSize);
    }

    public static Options defaults() {
      return new Options(50, 0f, Rule.GAUSS_LEGENDRE, 16);
    }

    public Options withSteps(int newSteps) {
      return new Options(newSteps, baseline, rule, batchSize);
    }
  }

  private final Options options;

  public IntegratedGradients(Options options) {
    this.options = options;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public MapKind kind() {
    return MapKind.INPUT;
  }

  @Override
  public Attribution explain(Query query) {
    Tensor batch = query.batch();
    int n = batch.dim(0);
    int item = batch.size() / n;
    int steps = options.steps();
    float b = options.baseline();
    double[][] path = options.rule().pointsAndWeights(steps);
    float[] x = batch.data();
    double[] sum = new double[x.length];
    Perturbations.inputGradients(query.model(), Perturbations.itemShape(batch), n * steps, options.batchSize(),
        (variant, dst, offset) -> {
          int i = variant / steps;
          float alpha = (float) path[0][variant % steps];
          for (int j = 0; j < item; j++) dst[offset + j] = b + alpha * (x[i * item + j] - b);
        },
        variant -> query.target(variant / steps),
        (variant, g, offset) -> {
          int i = variant / steps;
          double weight = path[1][variant % steps];
          for (int j = 0; j < item; j++) sum[i * item + j] += weight * g[offset + j];
        }, query.progress());
    float[] map = new float[x.length];
    for (int j = 0; j < map.length; j++) map[j] = (float) ((x[j] - b) * sum[j]);

    int[] one = batch.shape();
    one[0] = 1;
    Tensor baselineOut = query.model().network().predict(Tensor.full(b, one));
    float[] clean = query.targetScores();
    double[] delta = new double[n];
    double[] difference = new double[n];
    for (int i = 0; i < n; i++) {
      double total = 0;
      for (int j = i * item; j < (i + 1) * item; j++) total += map[j];
      difference[i] = clean[i] - baselineOut.data()[query.target(i)];
      delta[i] = total - difference[i];
    }
    return new Attribution(NAME, kind(), Tensor.of(map, batch.shape()),
        Map.of(COMPLETENESS_DELTA, delta, SCORE_DIFFERENCE, difference));
  }

  /** Gauss-Legendre nodes and weights on [-1, 1]: Newton's method on the Legendre polynomial P_n. */
  static double[][] gaussLegendre(int n) {
    double[] nodes = new double[n];
    double[] weights = new double[n];
    for (int i = 0; i < (n + 1) / 2; i++) {
      double z = Math.cos(Math.PI * (i + 0.75) / (n + 0.5)); // a close first guess at the i-th largest root
      double derivative;
      for (int iteration = 0; ; iteration++) {
        double p0 = 1;
        double p1 = z;
        for (int k = 2; k <= n; k++) { // (k) P_k = (2k - 1) z P_{k-1} - (k - 1) P_{k-2}
          double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
          p0 = p1;
          p1 = p2;
        }
        derivative = n * (z * p1 - p0) / (z * z - 1);
        double step = p1 / derivative;
        z -= step;
        if (Math.abs(step) < 1e-15 || iteration == 100) break;
      }
      nodes[i] = z;
      nodes[n - 1 - i] = -z;
      weights[i] = 2 / ((1 - z * z) * derivative * derivative);
      weights[n - 1 - i] = weights[i];
    }
    return new double[][] {nodes, weights};
  }
}
