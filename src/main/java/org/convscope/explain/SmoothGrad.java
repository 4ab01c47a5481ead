package org.convscope.explain;

import java.util.SplittableRandom;
import org.convscope.engine.InvalidInputException;
import org.convscope.tensor.Tensor;

/**
 * SmoothGrad: Smilkov, Thorat, Kim, Viégas and Wattenberg, "SmoothGrad: removing noise by adding noise",
 * arXiv:1706.03825, 2017. The input gradient of the target score averaged over noisy copies of the input,
 * {@code x + N(0, sigma^2)}, with sigma the noise level times the item's value range (max - min), as in the
 * paper. Noise comes from the seed, so runs repeat exactly; the noisy copies run in batches.
 */
public final class SmoothGrad implements Explainer {
  public static final String NAME = "smoothgrad";

  /**
   * @param samples noisy copies per item (the paper saw little change beyond 50)
   * @param noiseLevel the noise's standard deviation as a fraction of the item's value range (10-20% worked best)
   * @param seed the noise's random seed
   * @param batchSize noisy copies per forward and backward pass
   */
  public record Options(int samples, double noiseLevel, long seed, int batchSize) {
    public Options {
      if (samples < 1) throw new InvalidInputException("SmoothGrad needs at least 1 sample, got " + samples);
      if (!(noiseLevel >= 0 && Double.isFinite(noiseLevel))) {
        throw new InvalidInputException("SmoothGrad noise level must be a finite fraction >= 0, got " + noiseLevel);
      }
      if (batchSize < 1) throw new InvalidInputException("SmoothGrad batch size must be at least 1, got " + batchSize);
    }

    public static Options defaults() {
      return new Options(32, 0.15, 0, 16);
    }
  }

  private final Options options;

  public SmoothGrad(Options options) {
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
    int samples = options.samples();
    float[] x = batch.data();
    double[] sigma = new double[n];
    for (int i = 0; i < n; i++) {
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = i * item; j < (i + 1) * item; j++) {
        min = Math.min(min, x[j]);
        max = Math.max(max, x[j]);
      }
      sigma[i] = options.noiseLevel() * (max - min);
    }
    double[] sum = new double[x.length];
    Perturbations.inputGradients(query.model(), Perturbations.itemShape(batch), n * samples, options.batchSize(),
        (variant, dst, offset) -> {
          int i = variant / samples;
          SplittableRandom random = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + variant);
          for (int j = 0; j < item; j++) dst[offset + j] = (float) (x[i * item + j] + sigma[i] * random.nextGaussian());
        },
        variant -> query.target(variant / samples),
        (variant, g, offset) -> {
          int i = variant / samples;
          for (int j = 0; j < item; j++) sum[i * item + j] += g[offset + j];
        }, query.progress());
    float[] map = new float[x.length];
    for (int j = 0; j < map.length; j++) map[j] = (float) (sum[j] / samples);
    return new Attribution(NAME, kind(), Tensor.of(map, batch.shape()));
  }
}
