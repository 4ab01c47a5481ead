package org.convscope.engine.ops;

/** Element-wise maximum of any number of inputs with numpy broadcasting; see {@link Extremum}. */
public final class Max extends Extremum {

  @Override
  float pick(float a, float b) {
    return Math.max(a, b);
  }

  @Override
  long pick(long a, long b) {
    return Math.max(a, b);
  }
}
