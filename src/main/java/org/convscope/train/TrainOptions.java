package org.convscope.train;

/**
 * How to train.
 *
 * @param epochs passes over the training set
 * @param batchSize examples per step
 * @param learningRate the peak rate; it follows a cosine decay to zero over the run
 * @param optimizer "adam" (decoupled weight decay) or "sgd" (momentum 0.9)
 * @param weightDecay L2 (SGD) or decoupled (Adam) weight decay
 * @param seed for the weights' initialization, the shuffling and augmentation
 * @param augment random crops (padding 2) and horizontal flips
 * @param mean per-channel mean subtracted from [0,1] pixels before the network
 * @param std per-channel standard deviation divided by
 */
public record TrainOptions(int epochs, int batchSize, double learningRate, String optimizer, double weightDecay,
    long seed, boolean augment, float[] mean, float[] std) {

  public TrainOptions {
    if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, not " + epochs);
    if (batchSize < 1) throw new IllegalArgumentException("--batch must be at least 1, not " + batchSize);
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("--lr must be a positive number, not " + learningRate);
    }
    if (!optimizer.equals("adam") && !optimizer.equals("sgd")) {
      throw new IllegalArgumentException("--optimizer must be adam or sgd, not " + optimizer);
    }
    if (weightDecay < 0) throw new IllegalArgumentException("weight decay must not be negative");
    if (mean.length != std.length) throw new IllegalArgumentException("need one mean and one std per channel");
    mean = mean.clone();
    std = std.clone();
  }

  Optimizer newOptimizer() {
    return optimizer.equals("adam") ? new Adam(learningRate, weightDecay) : new Sgd(learningRate, 0.9, weightDecay);
  }
}
