package org.convscope.embed;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * t-distributed stochastic neighbour embedding into the plane (van der Maaten and Hinton, "Visualizing Data
 * using t-SNE", JMLR 2008): points whose input-space neighbourhoods overlap are placed close together, by
 * gradient descent on KL(P || Q) between the input affinities P ({@link Affinities}) and the Student-t
 * similarities Q of the layout.
 *
 * <p>The gradient, 4 sum_j (p_ij - q_ij) w_ij (y_i - y_j) with w_ij = 1 / (1 + |y_i - y_j|^2), splits into an
 * attraction over P's sparse entries and a repulsion over all pairs, which {@link FftRepulsion} computes by
 * FFT-accelerated interpolation (Linderman et al. 2019); below 2,500 points the exact
 * sums are cheaper and used instead. The optimizer is scikit-learn's: momentum 0.5 during
 * early exaggeration and 0.8 after, with per-coordinate gains (Jacobs, "Increased rates of convergence through
 * learning rate adaptation", Neural Networks 1988).
 *
 * <p>Work runs on all cores, and every sum is collected in a fixed order, so a seed gives the same layout on
 * every run.
 */
public final class Tsne {
  /** How often (in iterations) the KL divergence is recorded. */
  public static final int KL_EVERY = 50;
  private static final double MIN_GAIN = 0.01;
  private static final double INITIAL_SCALE = 1e-4;

  /** Receives the iteration count and, every {@value #KL_EVERY} iterations, the KL divergence (else NaN). */
  @FunctionalInterface
  public interface Listener {
    void iterationDone(int iteration, double klDivergence);
  }

  /**
   * @param coordinates n x 2, row-major
   * @param klDivergence KL(P || Q) of the final layout, with P not exaggerated
   * @param klHistory (iteration, KL) every {@value #KL_EVERY} iterations and at the end
   * @param seconds the wall time of the whole fit, affinities included
   */
  public record Result(double[] coordinates, double klDivergence, List<double[]> klHistory, double seconds) {
    public double x(int i) {
      return coordinates[2 * i];
    }

    public double y(int i) {
      return coordinates[2 * i + 1];
    }
  }

  private Tsne() {}

  /** Embeds the n x d rows of {@code x}. */
  public static Result fit(double[] x, int n, int d, TsneOptions options, Listener listener, BooleanSupplier cancelled) {
    long start = System.nanoTime();
    if (n < 3) throw new IllegalArgumentException("t-SNE needs at least 3 points, got " + n);
    int k = Affinities.neighborCount(options.perplexity(), n);
    if (options.perplexity() >= k) {
      throw new IllegalArgumentException("perplexity " + options.perplexity() + " is too large for " + n
          + " points; use less than " + Math.max(1, n - 1));
    }
    float[] xf = new float[x.length];
    for (int i = 0; i < x.length; i++) xf[i] = (float) x[i];
    NeighborGraph graph = NeighborGraph.build(xf, n, d, k, cancelled);
    Affinities p = Affinities.compute(graph, options.perplexity());
    double[] y = initialize(xf, n, d, options);
    return optimize(p, y, options, Repulsion.forSize(n), listener, cancelled, start);
  }

  /** Runs the optimization from a given start (n x 2), on precomputed affinities. */
  static Result optimize(Affinities p, double[] y, TsneOptions options, Repulsion repulsion, Listener listener,
      BooleanSupplier cancelled, long start) {
    int n = p.n();
    double learningRate = options.learningRateFor(n);
    double[] update = new double[2 * n];
    double[] gains = new double[2 * n];
    java.util.Arrays.fill(gains, 1);
    double entropyTerm = sumPLogP(p);
    List<double[]> history = new ArrayList<>();
    double kl = Double.NaN;
    for (int iteration = 0; iteration < options.iterations(); iteration++) {
      if (cancelled.getAsBoolean()) throw new CancellationException("t-SNE cancelled");
      boolean exaggerated = iteration < options.exaggerationIterations();
      if (iteration == options.exaggerationIterations() && iteration > 0) {
        // scikit-learn restarts the optimizer state when exaggeration ends.
        java.util.Arrays.fill(update, 0);
        java.util.Arrays.fill(gains, 1);
      }
      double exaggeration = exaggerated ? options.earlyExaggeration() : 1;
      double momentum = exaggerated ? 0.5 : 0.8;
      Repulsion.Result rep = repulsion.compute(y, n);
      double[] gradient = attraction(p, y, exaggeration);
      double z = rep.normalization();
      double[] forces = rep.forces();
      for (int c = 0; c < 2 * n; c++) gradient[c] = 4 * (gradient[c] - forces[c] / z);
      boolean record = (iteration + 1) % KL_EVERY == 0 || iteration + 1 == options.iterations();
      if (record) {
        // KL at the layout this step started from; the repulsion pass already gave its Z.
        kl = klDivergence(p, y, z, entropyTerm);
        history.add(new double[] {iteration + 1, kl});
      }
      for (int c = 0; c < 2 * n; c++) {
        // Delta-bar-delta: grow a coordinate's gain while its gradient keeps its sign, shrink it on a reversal.
        gains[c] = (update[c] * gradient[c] < 0) ? gains[c] + 0.2 : Math.max(MIN_GAIN, gains[c] * 0.8);
        update[c] = momentum * update[c] - learningRate * gains[c] * gradient[c];
        y[c] += update[c];
      }
      listener.iterationDone(iteration + 1, record ? kl : Double.NaN);
    }
    return new Result(y, kl, history, (System.nanoTime() - start) / 1e9);
  }

  /** The starting layout: PCA or seeded Gaussian, scaled to standard deviation 1e-4 on the first axis. */
  static double[] initialize(float[] x, int n, int d, TsneOptions options) {
    double[] y = new double[2 * n];
    if (options.initialization() == TsneOptions.Initialization.PCA && d >= 2) {
      y = Pca.fit(x, n, d, 2).project(x, n);
    } else {
      Random random = new Random(options.seed());
      for (int c = 0; c < 2 * n; c++) y[c] = random.nextGaussian();
    }
    double mean = 0;
    for (int i = 0; i < n; i++) mean += y[2 * i];
    mean /= n;
    double variance = 0;
    for (int i = 0; i < n; i++) variance += (y[2 * i] - mean) * (y[2 * i] - mean);
    double std = Math.sqrt(variance / n);
    double scale = std > 0 ? INITIAL_SCALE / std : 1;
    for (int c = 0; c < 2 * n; c++) y[c] *= scale;
    return y;
  }

  /** exaggeration * sum_j p_ij w_ij (y_i - y_j) for every i, x then y; rows are independent. */
  static double[] attraction(Affinities p, double[] y, double exaggeration) {
    int n = p.n();
    double[] out = new double[2 * n];
    int[] start = p.rowStart();
    int[] cols = p.columns();
    double[] vals = p.values();
    IntStream.range(0, n).parallel().forEach(i -> {
      double fx = 0;
      double fy = 0;
      double xi = y[2 * i];
      double yi = y[2 * i + 1];
      for (int e = start[i]; e < start[i + 1]; e++) {
        int j = cols[e];
        double dx = xi - y[2 * j];
        double dy = yi - y[2 * j + 1];
        double w = vals[e] / (1 + dx * dx + dy * dy);
        fx += w * dx;
        fy += w * dy;
      }
      out[2 * i] = exaggeration * fx;
      out[2 * i + 1] = exaggeration * fy;
    });
    return out;
  }

  /**
   * KL(P || Q) = sum p log p - sum p log w + log Z (P sums to 1), over P's entries only: pairs outside the
   * neighbour graph have p = 0 and add nothing.
   */
  static double klDivergence(Affinities p, double[] y, double z, double sumPLogP) {
    int n = p.n();
    int[] start = p.rowStart();
    int[] cols = p.columns();
    double[] vals = p.values();
    double[] rows = new double[n];
    IntStream.range(0, n).parallel().forEach(i -> {
      double s = 0;
      for (int e = start[i]; e < start[i + 1]; e++) {
        int j = cols[e];
        double dx = y[2 * i] - y[2 * j];
        double dy = y[2 * i + 1] - y[2 * j + 1];
        s += vals[e] * Math.log1p(dx * dx + dy * dy); // -p log w
      }
      rows[i] = s;
    });
    double total = sumPLogP;
    for (double r : rows) total += r;
    return total + Math.log(z);
  }

  private static double sumPLogP(Affinities p) {
    double s = 0;
    for (double v : p.values()) if (v > 0) s += v * Math.log(v);
    return s;
  }
}
