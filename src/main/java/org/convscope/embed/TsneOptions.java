package org.convscope.embed;

/**
 * How to run {@link Tsne}. The defaults are scikit-learn's (1.2) for Barnes-Hut t-SNE, so that results compare.
 *
 * @param perplexity the effective number of neighbours each point's Gaussian covers (5 to 50 is usual)
 * @param iterations gradient steps in all, early exaggeration included
 * @param learningRate step size, or 0 for max(n / earlyExaggeration / 4, 50) (Belkina et al., Nature
 *     Communications 2019, in scikit-learn's scaling of the gradient)
 * @param earlyExaggeration the factor on P during the first {@code exaggerationIterations} steps, which lets
 *     clusters form before they spread (van der Maaten and Hinton 2008)
 * @param exaggerationIterations steps with exaggerated P, and momentum 0.5; the others use momentum 0.8
 * @param initialization where the points start
 * @param seed for the random initialization; with a fixed seed the result is the same on every run and number
 *     of cores
 */
public record TsneOptions(double perplexity, int iterations, double learningRate, double earlyExaggeration,
    int exaggerationIterations, Initialization initialization, long seed) {
  /** The starting layout, scaled so that the first coordinate has standard deviation 1e-4. */
  public enum Initialization {
    /**
     * The first two principal components: keeps the global layout of the data, which random starts lose
     * (Kobak and Linderman, Nature Biotechnology 2021).
     */
    PCA,
    /** Independent Gaussian coordinates from the seed. */
    RANDOM
  }

  public TsneOptions {
    if (initialization == null) throw new IllegalArgumentException("initialization is required");
    if (!(perplexity >= 1) || !Double.isFinite(perplexity)) throw new IllegalArgumentException("perplexity must be at least 1, not " + perplexity);
    if (iterations < 1) throw new IllegalArgumentException("iterations must be at least 1, not " + iterations);
    if (!(learningRate >= 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive (or 0 for automatic), not " + learningRate);
    }
    if (!(earlyExaggeration >= 1)) throw new IllegalArgumentException("early exaggeration must be at least 1, not " + earlyExaggeration);
    if (exaggerationIterations < 0) throw new IllegalArgumentException("exaggeration iterations must not be negative");
  }

  /** Perplexity 30, 1000 iterations (250 exaggerated by 12), automatic learning rate, PCA start, seed 0. */
  public static TsneOptions defaults() {
    return new TsneOptions(30, 1000, 0, 12, 250, Initialization.PCA, 0);
  }

  public TsneOptions withPerplexity(double value) {
    return new TsneOptions(value, iterations, learningRate, earlyExaggeration, exaggerationIterations, initialization, seed);
  }

  public TsneOptions withIterations(int value) {
    return new TsneOptions(perplexity, value, learningRate, earlyExaggeration, Math.min(exaggerationIterations, value), initialization, seed);
  }

  public TsneOptions withSeed(long value) {
    return new TsneOptions(perplexity, iterations, learningRate, earlyExaggeration, exaggerationIterations, initialization, value);
  }

  public TsneOptions withInitialization(Initialization value) {
    return new TsneOptions(perplexity, iterations, learningRate, earlyExaggeration, exaggerationIterations, value, seed);
  }

  /** The learning rate for n points. */
  double learningRateFor(int n) {
    return learningRate > 0 ? learningRate : Math.max(n / earlyExaggeration / 4, 50);
  }
}
