package org.convscope.units;

import org.convscope.tensor.Tensor;

/**
 * Lucid's colour decorrelation (Olah et al., "Feature Visualization", Distill 2017, "Preconditioning and
 * Parameterization"), as the step it amounts to. Lucid writes each pixel's colour as {@code C x}, where C is
 * {@code color_correlation_svd_sqrt}, a square root of ImageNet's RGB colour covariance found by SVD, divided by
 * its largest column norm, and optimizes x. A gradient step of size lr on x moves the pixels by
 * {@code lr C C^T g}: along the colour directions natural images vary in (mostly brightness), less along the
 * others, so the image does not fill with saturated, high-contrast colour.
 *
 * <p>Our images are model inputs {@code (pixel - mean) / std}, so in the model's space the step is
 * {@code P g} with {@code P = D^-1 C C^T D^-1}, D the diagonal of the channels' std, applied at every pixel. P is
 * scaled to a mean eigenvalue of 1 (trace 3) so that a step keeps about the size of a plain one, as
 * {@link SpectralPreconditioner} does with its frequencies; the two commute, and together they are Lucid's
 * decorrelated Fourier parameterization.
 */
final class ColorDecorrelation {
  /** Lucid's {@code color_correlation_svd_sqrt} (lucid/optvis/param/color.py), rows R, G, B. */
  static final double[][] SVD_SQRT = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}};

  /** P, row-major 3x3, in model space. */
  private final double[] matrix = new double[9];

  /**
   * @throws IllegalArgumentException unless the inputs have 3 channels
   */
  ColorDecorrelation(InputSpace space) {
    if (space.channels() != 3) {
      throw new IllegalArgumentException("colour decorrelation needs RGB inputs, but the model takes " + space.channels()
          + " channel(s); leave it off");
    }
    double[][] c = normalized();
    double trace = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        double k = 0;
        for (int m = 0; m < 3; m++) k += c[i][m] * c[j][m];
        matrix[i * 3 + j] = k / (space.std(i) * space.std(j));
      }
      trace += matrix[i * 4];
    }
    for (int i = 0; i < 9; i++) matrix[i] *= 3 / trace;
  }

  /** Lucid's matrix divided by its largest column norm: {@code color_correlation_normalized}. */
  static double[][] normalized() {
    double max = 0;
    for (int j = 0; j < 3; j++) {
      double norm = 0;
      for (int i = 0; i < 3; i++) norm += SVD_SQRT[i][j] * SVD_SQRT[i][j];
      max = Math.max(max, Math.sqrt(norm));
    }
    double[][] out = new double[3][3];
    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) out[i][j] = SVD_SQRT[i][j] / max;
    return out;
  }

  /** P, row-major, for tests. */
  double[] matrix() {
    return matrix.clone();
  }

  /** P applied to the colour of every pixel of {@code direction} [1,3,H,W]; a new tensor. */
  Tensor apply(Tensor direction) {
    int plane = direction.dim(2) * direction.dim(3);
    float[] in = direction.data();
    float[] out = new float[in.length];
    for (int n = 0; n < direction.dim(0); n++) {
      int base = n * 3 * plane;
      for (int p = 0; p < plane; p++) {
        double r = in[base + p];
        double g = in[base + plane + p];
        double b = in[base + 2 * plane + p];
        for (int i = 0; i < 3; i++) {
          out[base + i * plane + p] = (float) (matrix[i * 3] * r + matrix[i * 3 + 1] * g + matrix[i * 3 + 2] * b);
        }
      }
    }
    return Tensor.of(out, direction.shape());
  }
}
