package org.convscope.engine.ops;

/** Element-wise minimum of any number of inputs with numpy broadcasting; see {@link Extremum}. */
public final class Min extends Extremum {

  @Override
  float pick(float a, float b) {
    return Math.min(a, b);
  }

  @Override
  long pick(long a, long b) {
    return Math.min(a, b);
  }
}
