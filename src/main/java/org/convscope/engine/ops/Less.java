package org.convscope.engine.ops;

/** a &lt; b, element-wise with numpy broadcasting, as int64 0 or 1; see {@link Comparison}. */
public final class Less extends Comparison {

  @Override
  boolean holds(float a, float b) {
    return a < b;
  }

  @Override
  boolean holds(long a, long b) {
    return a < b;
  }
}
