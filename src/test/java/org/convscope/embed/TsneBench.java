package org.convscope.embed;

import java.io.IOException;
import java.util.Locale;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;
import org.convscope.data.FashionMnist;

/**
 * t-SNE on the first N of Fashion-MNIST's 70,000 images (train then test), as shared/peer/tsne_bench.py runs
 * scikit-learn: pixels in [0, 1], PCA to 50 dimensions, perplexity 30, PCA start, 1000 iterations; the time
 * covers the t-SNE fit (neighbours, affinities, optimization), not the PCA. Prints the same line as the peer
 * script, with trustworthiness on a 5,000-point sample. Not a test; run it alone:
 *
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx8g -cp target/classes:target/test-classes:$(cat target/cp.txt) org.convscope.embed.TsneBench 70000
 * </pre>
 */
public final class TsneBench {
  private TsneBench() {}

  public static void main(String[] args) throws IOException {
    int n = Integer.parseInt(args[0]);
    float[] pixels = new float[n * 784];
    int[] labels = new int[n];
    int at = 0;
    for (FashionMnist.Split split : FashionMnist.Split.values()) {
      Dataset data = FashionMnist.open(split);
      for (Batch batch : data.batches(1000)) {
        for (int b = 0; b < batch.size() && at < n; b++, at++) {
          System.arraycopy(batch.images().data(), b * 784, pixels, at * 784, 784);
          labels[at] = batch.labels()[b];
        }
      }
    }
    long start = System.nanoTime();
    double[] x = Pca.fit(pixels, n, 784, 50).project(pixels, n);
    double pcaSeconds = (System.nanoTime() - start) / 1e9;
    Tsne.Result result = Tsne.fit(x, n, 50, TsneOptions.defaults(), (iteration, kl) -> {
      if (!Double.isNaN(kl)) System.err.printf(Locale.ROOT, "iteration %d KL %.3f%n", iteration, kl);
    }, () -> false);
    int[] sample = EmbeddingQuality.subsample(n, 5000, 0);
    double trust = EmbeddingQuality.trustworthiness(EmbeddingQuality.rows(x, 50, sample), 50,
        EmbeddingQuality.rows(result.coordinates(), 2, sample), sample.length, 10);
    double agreement = EmbeddingQuality.classAgreement(result.coordinates(), labels, 10);
    System.out.printf(Locale.ROOT, "convscope_fft_tsne n %d seconds %.1f kl %.3f trustworthiness %.4f knn_agreement %.4f (pca %.1f s)%n",
        n, result.seconds(), result.klDivergence(), trust, agreement, pcaSeconds);
  }
}
