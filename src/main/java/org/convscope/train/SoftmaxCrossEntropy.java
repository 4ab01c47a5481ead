package org.convscope.train;

import org.convscope.tensor.Tensor;

/**
 * Mean softmax cross-entropy over a batch of logits, with its gradient: (softmax(z) - onehot(y)) / B.
 * Computed with the max subtracted, so large logits do not overflow.
 */
public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /**
   * @param loss the mean loss over the batch
   * @param gradient d loss / d logits, same shape as the logits
   * @param correct how many rows have their label as the arg max
   */
  public record Result(double loss, Tensor gradient, int correct) {}

  public static Result compute(Tensor logits, int[] labels) {
    int batch = logits.dim(0);
    int classes = logits.dim(1);
    if (labels.length != batch) throw new IllegalArgumentException(labels.length + " labels for a batch of " + batch);
    float[] z = logits.data();
    float[] grad = new float[z.length];
    double loss = 0;
    int correct = 0;
    for (int b = 0; b < batch; b++) {
      int row = b * classes;
      int label = labels[b];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("label " + label + " is outside the model's " + classes + " classes");
      }
      float max = Float.NEGATIVE_INFINITY;
      int argmax = 0;
      for (int k = 0; k < classes; k++) {
        if (z[row + k] > max) {
          max = z[row + k];
          argmax = k;
        }
      }
      if (argmax == label) correct++;
      double sum = 0;
      for (int k = 0; k < classes; k++) sum += Math.exp(z[row + k] - max);
      loss += Math.log(sum) - (z[row + label] - max);
      for (int k = 0; k < classes; k++) {
        double p = Math.exp(z[row + k] - max) / sum;
        grad[row + k] = (float) ((p - (k == label ? 1 : 0)) / batch);
      }
    }
    return new Result(loss / batch, Tensor.of(grad, logits.shape()), correct);
  }
}
