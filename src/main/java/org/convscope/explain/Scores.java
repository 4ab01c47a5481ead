package org.convscope.explain;

import org.convscope.engine.InvalidInputException;
import org.convscope.engine.Node;
import org.convscope.model.Model;
import org.convscope.tensor.Shapes;
import org.convscope.tensor.Tensor;

/** Class scores: checking the model's output, picking classes, softmax. */
final class Scores {
  private Scores() {}

  /** The number of classes, after checking that the output is a matrix of class scores. */
  static int classes(Model model, Tensor output) {
    if (!output.isFloat() || output.rank() != 2) {
      throw new InvalidInputException("the model's output '" + model.output() + "' has shape "
          + Shapes.toString(output.shape()) + "; explanations need class scores of shape [N, classes]");
    }
    return output.dim(1);
  }

  /** The indices of the k largest of {@code count} values starting at {@code offset}, largest first. */
  static int[] topK(float[] values, int offset, int count, int k) {
    int[] top = new int[k];
    boolean[] taken = new boolean[count];
    for (int j = 0; j < k; j++) {
      int best = -1;
      for (int c = 0; c < count; c++) {
        if (!taken[c] && (best < 0 || values[offset + c] > values[offset + best])) best = c;
      }
      taken[best] = true;
      top[j] = best;
    }
    return top;
  }

  /** One-hot rows: the seed for the gradient of each item's target score. */
  static Tensor oneHot(int[] targets, int classes) {
    float[] seed = new float[targets.length * classes];
    for (int i = 0; i < targets.length; i++) seed[i * classes + targets[i]] = 1f;
    return Tensor.of(seed, targets.length, classes);
  }

  /**
   * The probability of class {@code target} from one row of outputs: a softmax of the logits, or the row
   * itself when the model already ends in a softmax.
   */
  static double probability(Model model, float[] row, int offset, int classes, int target) {
    if (endsInSoftmax(model)) return row[offset + target];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) max = Math.max(max, row[offset + c]);
    double sum = 0;
    for (int c = 0; c < classes; c++) sum += Math.exp(row[offset + c] - max);
    return Math.exp(row[offset + target] - max) / sum;
  }

  static boolean endsInSoftmax(Model model) {
    Node producer = model.graph().producer(model.output());
    return producer != null && producer.opType().equals("Softmax");
  }
}
