package org.convscope.train;

/** Hears about training progress: the CLI draws a progress bar, tests record the loss. */
public interface TrainingListener {
  /** Before each epoch, with the number of steps it will take. */
  default void epochStarted(int epoch, int steps) {}

  /** After each step, with running averages over the epoch so far. */
  default void stepDone(int epoch, int step, double meanLoss, double accuracy, int examples) {}

  /** After each epoch, with its evaluation on the held-out set (null when there is none). */
  default void epochDone(int epoch, double meanLoss, double trainAccuracy, Evaluation heldOut) {}

  TrainingListener SILENT = new TrainingListener() {};
}
