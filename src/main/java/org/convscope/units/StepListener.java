package org.convscope.units;

/** Hears each step of an optimization over an image: for progress bars. */
@FunctionalInterface
public interface StepListener {
  /** Does nothing. */
  StepListener NONE = (step, steps, objective) -> {};

  /**
   * @param step the step just taken, from 0
   * @param steps how many steps the run takes in all
   * @param objective the objective at that step, before its update
   */
  void stepDone(int step, int steps, double objective);
}
